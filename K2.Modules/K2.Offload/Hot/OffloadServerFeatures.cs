using K2.ClickHouse.Schema;

namespace K2.Offload.Hot;

/// <summary>What the offload's SQL needs from ClickHouse beyond the hot tier's floor; checked at the daemon's start.</summary>
internal static class OffloadServerFeatures
{
    public static readonly IReadOnlyList<ServerFeature> All =
    [
        ServerFeature.Function("icebergBucket", new Version(25, 5), "offload: Iceberg bucket partitions"),
        ServerFeature.Setting("output_format_parquet_write_bloom_filter", new Version(25, 2), "offload: Parquet data files"),
        ServerFeature.Setting("output_format_parquet_max_dictionary_size", new Version(25, 8), "offload: Parquet data files"),
    ];
}
