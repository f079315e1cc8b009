using K2.ClickHouse.Schema;

namespace K2.Maintenance.Compaction;

/// <summary>What compaction's SQL needs from ClickHouse beyond the hot tier's floor; checked at the daemon's start.</summary>
internal static class CompactionServerFeatures
{
    public static readonly IReadOnlyList<ServerFeature> All =
    [
        ServerFeature.Setting("max_bytes_ratio_before_external_sort", new Version(24, 12), "compaction: a sort that spills to disk at a fixed size"),
    ];
}
