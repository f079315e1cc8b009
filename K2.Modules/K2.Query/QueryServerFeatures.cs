using K2.ClickHouse.Schema;

namespace K2.Query;

/// <summary>What the query API's SQL needs from ClickHouse beyond the hot tier's floor; checked at the daemon's start.</summary>
internal static class QueryServerFeatures
{
    public static readonly IReadOnlyList<ServerFeature> All =
    [
        ServerFeature.Setting("output_format_parquet_write_bloom_filter", new Version(25, 2), "query API: Parquet answers"),
    ];
}
