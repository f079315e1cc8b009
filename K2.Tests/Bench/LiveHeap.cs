using System.Text.Json.Serialization;

namespace K2.Bench;

/// <summary>
/// The .NET heap's live data at the end of a soak, after full collections: in all, and what the soak's feeds held —
/// their ingestion pipelines, whose dedup windows keep up to 65,536 trade ids per symbol (the daemon's ingestors keep
/// the same). Tells live growth from garbage the GC has not collected yet. MiB.
/// </summary>
internal sealed record LiveHeap(
    [property: JsonPropertyName("live")] double Live,
    [property: JsonPropertyName("held_by_feeds")] double HeldByFeeds)
{
    /// <summary>Measures, then drops the feeds (clears <paramref name="feeds"/>) to see what they held.</summary>
    public static LiveHeap Measure(SoakFeed?[] feeds)
    {
        var live = GC.GetTotalMemory(forceFullCollection: true);
        Array.Clear(feeds);
        var withoutFeeds = GC.GetTotalMemory(forceFullCollection: true);
        return new LiveHeap(Math.Round(live / 1048576.0, 1), Math.Round((live - withoutFeeds) / 1048576.0, 1));
    }
}
