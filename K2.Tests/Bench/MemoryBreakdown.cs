using System.Text.Json.Serialization;

namespace K2.Bench;

/// <summary>
/// Where the process's memory is at one moment: resident set split into anonymous memory and mapped files (libchdb's
/// code pages are file-backed), the .NET heap, the glibc heap (librdkafka — including the embedded mock cluster's
/// partition logs — SQLite and the runtime's native parts), chDB's own tracker and caches, and what the mock cluster
/// still holds. chDB's tracker is split into background merges and running queries (the rest is inserts, the Kafka
/// engine's consumers and the engine's own structures). All sizes in MiB. <see cref="MallocFreeHeld"/> counts free bytes in glibc's arenas whether their pages are
/// resident or were handed back (malloc_trim), so it bounds what glibc holds rather than measuring it.
/// </summary>
internal sealed record MemoryBreakdown(
    [property: JsonPropertyName("at_s")] double AtSeconds,
    [property: JsonPropertyName("rss")] double Rss,
    [property: JsonPropertyName("rss_anon")] double RssAnonymous,
    [property: JsonPropertyName("rss_file")] double RssFile,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("threadpool_threads")] int ThreadPoolThreads,
    [property: JsonPropertyName("gc_heap")] double GcHeap,
    [property: JsonPropertyName("gc_committed")] double GcCommitted,
    [property: JsonPropertyName("gc_fragmented")] double GcFragmented,
    [property: JsonPropertyName("malloc_in_use")] double MallocInUse,
    [property: JsonPropertyName("malloc_free_held")] double MallocFreeHeld,
    [property: JsonPropertyName("chdb_tracked")] double ChDbTracked,
    [property: JsonPropertyName("chdb_merges_tracked")] double ChDbMergesTracked,
    [property: JsonPropertyName("chdb_queries_tracked")] double ChDbQueriesTracked,
    [property: JsonPropertyName("chdb_caches")] IReadOnlyDictionary<string, double> ChDbCaches,
    [property: JsonPropertyName("chdb_threads")] IReadOnlyDictionary<string, long> ChDbThreads,
    [property: JsonPropertyName("chdb_active_parts")] long ChDbActiveParts,
    [property: JsonPropertyName("chdb_merges")] long ChDbMerges,
    [property: JsonPropertyName("kafka_retained_messages")] long KafkaRetainedMessages);
