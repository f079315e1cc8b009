namespace K2.Bench;

/// <summary>How much each part of a <see cref="MemoryBreakdown"/> grew from the first sample after warm-up to the last (MiB; messages for the mock cluster).</summary>
internal static class MemoryGrowth
{
    public static IReadOnlyDictionary<string, double> After(IReadOnlyList<MemoryBreakdown> samples, TimeSpan warmUp)
    {
        var steady = samples.Where(s => s.AtSeconds >= warmUp.TotalSeconds).ToList();
        if (steady.Count < 2) { return new Dictionary<string, double>(); }
        var (first, last) = (steady[0], steady[^1]);
        return new Dictionary<string, double>
        {
            ["rss"] = Delta(first.Rss, last.Rss),
            ["rss_anon"] = Delta(first.RssAnonymous, last.RssAnonymous),
            ["rss_file"] = Delta(first.RssFile, last.RssFile),
            ["gc_heap"] = Delta(first.GcHeap, last.GcHeap),
            ["gc_committed"] = Delta(first.GcCommitted, last.GcCommitted),
            ["malloc_in_use"] = Delta(first.MallocInUse, last.MallocInUse),
            ["malloc_free_held"] = Delta(first.MallocFreeHeld, last.MallocFreeHeld),
            ["chdb_tracked"] = Delta(first.ChDbTracked, last.ChDbTracked),
            ["chdb_caches"] = Delta(first.ChDbCaches.Values.Sum(), last.ChDbCaches.Values.Sum()),
            ["kafka_retained_messages"] = last.KafkaRetainedMessages - first.KafkaRetainedMessages,
        };
    }

    private static double Delta(double first, double last) => Math.Round(last - first, 1);
}
