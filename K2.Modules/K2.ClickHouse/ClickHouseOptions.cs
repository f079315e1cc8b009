using System.ComponentModel.DataAnnotations;
using System.Globalization;
using K2.ClickHouse.HttpInterface;
using K2.ClickHouse.Schema;
using K2.Core.Configuration;
using K2.Core.Http;

namespace K2.ClickHouse;

public enum ClickHouseMode
{
    /// <summary>chDB, the ClickHouse engine in-process (default).</summary>
    Embedded,

    /// <summary>A ClickHouse server over HTTP.</summary>
    Http,
}

public sealed class ClickHouseOptions : ModuleOptions, IValidatableObject
{
    public const string SectionName = "Modules:ClickHouse";

    public ClickHouseMode Mode { get; set; } = ClickHouseMode.Embedded;

    /// <summary>Database holding K2's hot tier. Default <c>k2</c>.</summary>
    [RegularExpression(SqlIdentifier.Pattern, ErrorMessage = SqlIdentifier.Rule)]
    public string Database { get; set; } = "k2";

    /// <summary>
    /// Cluster name for <c>ON CLUSTER</c> DDL with Replicated engines (multi-node ClickHouse).
    /// Empty (default): single node, plain MergeTree engines.
    /// </summary>
    [RegularExpression($"^$|{SqlIdentifier.Pattern}", ErrorMessage = "must be empty (single node) or " + SqlIdentifier.Rule)]
    public string Cluster { get; set; } = "";

    /// <summary>Apply pending schema migrations when the daemon starts. Default true.</summary>
    public bool ApplyMigrationsAtStart { get; set; } = true;

    /// <summary>Seconds between polls of consumer health and table row counts. Default 15.</summary>
    [Range(1, 3600, ErrorMessage = "must be 1–3600 seconds")]
    public int HealthPollSeconds { get; set; } = 15;

    public EmbeddedClickHouseOptions Embedded { get; set; } = new();

    public HttpClickHouseOptions Http { get; set; } = new();

    public ClickHouseKafkaOptions Kafka { get; set; } = new();

    public ClickHouseRetentionOptions Retention { get; set; } = new();

    /// <summary>The check that keeps hot candles equal to silver after redeliveries and kills.</summary>
    public CandleCheckOptions CandleCheck { get; set; } = new();

    /// <summary>ClickHouse's HTTP protocol over the embedded engine, read-only. Off by default.</summary>
    public ClickHouseHttpInterfaceOptions HttpInterface { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HttpInterface.Enabled && Mode == ClickHouseMode.Http)
        {
            yield return new ValidationResult("serves the embedded engine only; with Mode Http point ClickHouse clients at the server itself", [$"{nameof(HttpInterface)}:{nameof(HttpInterface.Enabled)}"]);
        }

        if (!ListenAddress.TryParse(HttpInterface.Listen, out _))
        {
            yield return new ValidationResult($"'{HttpInterface.Listen}' {ListenAddress.Rule}", [$"{nameof(HttpInterface)}:{nameof(HttpInterface.Listen)}"]);
        }

        if (Mode == ClickHouseMode.Http && !Uri.TryCreate(Http.Url, UriKind.Absolute, out _))
        {
            yield return new ValidationResult("required when Mode is Http; set the server's HTTP endpoint, e.g. http://clickhouse:8123", [$"{nameof(Http)}:{nameof(Http.Url)}"]);
        }
    }
}

public sealed class EmbeddedClickHouseOptions
{
    /// <summary>Storage folder of the embedded engine. Default <c>&lt;Storage:DataDir&gt;/clickhouse</c>.</summary>
    public string DataPath { get; set; } = "";

    /// <summary>Path of libchdb.so. Default: <c>K2_CHDB_LIB</c>, else the cache that scripts/fetch-chdb.sh fills.</summary>
    public string LibraryPath { get; set; } = "";

    /// <summary>
    /// Idle threads the engine's global thread pool keeps (ClickHouse's <c>max_thread_pool_free_size</c>, 1000 by
    /// default). A burst of parallel work otherwise leaves its threads parked for good, each with its stack and
    /// allocator cache: a soak saw 128 such threads appear at once and stay, with 25–60 MB more resident memory. Default 16.
    /// </summary>
    [Range(0, 10_000, ErrorMessage = "must be 0 to 10000 threads")]
    public int MaxIdleThreads { get; set; } = 16;

    /// <summary>
    /// Threads that run the Kafka engine's consumers (ClickHouse's <c>background_message_broker_schedule_pool_size</c>;
    /// chDB starts with 2). A queue table keeps its thread for up to a minute while messages keep coming, so with fewer
    /// threads than exchanges one exchange's trades waited a minute at a time to reach bronze, buffered in the engine's
    /// memory meanwhile. Default 4: one per exchange and one spare.
    /// </summary>
    [Range(3, 256, ErrorMessage = "must be 3–256 threads: at least one per exchange's queue table")]
    public int KafkaConsumerThreads { get; set; } = 4;

    /// <summary>
    /// Seconds between removals of the parts that merges replaced (MergeTree's <c>cleanup_delay_period</c>, 30 by
    /// default, backing off to 300 when there is little to do). Every flush of the Kafka engine writes a part to each of
    /// eight tables; each replaced part keeps its index and metadata in memory until removed, so at the defaults a
    /// minute's worth (about 1,800 parts, 30–40 MB) built up and fell away in turn. Default 2, backing off to 10.
    /// </summary>
    [Range(1, 300, ErrorMessage = "must be 1–300 seconds")]
    public int ReplacedPartsCleanupSeconds { get; set; } = 2;

    /// <summary>
    /// Seconds between handing the memory the engine freed back to the system (<c>SYSTEM JEMALLOC PURGE</c>, well under a
    /// millisecond); 0 turns it off. Under streaming inserts the freed pages grew by about 2 MB/s between purges. Default 1.
    /// </summary>
    [Range(0, 3600, ErrorMessage = "must be 0 (off) to 3600 seconds")]
    public int ReleaseMemorySeconds { get; set; } = 1;

    /// <summary>
    /// Longest time the embedded Kafka cluster holds a fetch of the engine's consumers that found no new message
    /// (librdkafka's <c>fetch.wait.max.ms</c>, 500 ms by default). A broker answers a waiting fetch as soon as messages
    /// arrive; the in-process mock cluster answers only when the wait is over, so at low rates every trade waited up to
    /// that long before the engine saw it. Default 10.
    /// </summary>
    [Range(1, 500, ErrorMessage = "must be 1–500 ms")]
    public int KafkaFetchWaitMilliseconds { get; set; } = 10;

    /// <summary>The server settings the engine is started with.</summary>
    public IReadOnlyDictionary<string, string> ServerSettings() => new Dictionary<string, string>
    {
        ["max_thread_pool_free_size"] = MaxIdleThreads.ToString(CultureInfo.InvariantCulture),
        ["background_message_broker_schedule_pool_size"] = KafkaConsumerThreads.ToString(CultureInfo.InvariantCulture),
        ["merge_tree.cleanup_delay_period"] = ReplacedPartsCleanupSeconds.ToString(CultureInfo.InvariantCulture),
        ["merge_tree.max_cleanup_delay_period"] = (5 * ReplacedPartsCleanupSeconds).ToString(CultureInfo.InvariantCulture),
        ["merge_tree.cleanup_delay_period_random_add"] = "1",
        ["kafka.fetch_wait_max_ms"] = KafkaFetchWaitMilliseconds.ToString(CultureInfo.InvariantCulture),
    };
}

public sealed class HttpClickHouseOptions
{
    /// <summary>HTTP endpoint of the server, e.g. <c>http://clickhouse:8123</c>. Required when Mode is Http.</summary>
    public string Url { get; set; } = "";

    [RegularExpression(SqlIdentifier.Pattern, ErrorMessage = SqlIdentifier.Rule)]
    public string Username { get; set; } = "default";

    /// <summary>Name of the environment variable holding the password (never the password itself).</summary>
    [RegularExpression("^[A-Za-z_][A-Za-z0-9_]*$", ErrorMessage = "must be an environment variable name (letters, digits, _)")]
    public string PasswordVariable { get; set; } = "K2_CLICKHOUSE_PASSWORD";

    /// <summary>
    /// How long one HTTP request to the server may take, in seconds (default 600: an offload batch or an audit query can
    /// run for minutes, longer than the driver's own 2-minute default).
    /// </summary>
    [Range(1, 86400, ErrorMessage = "must be 1–86400 seconds")]
    public int TimeoutSeconds { get; set; } = 600;
}

/// <summary>How ClickHouse's Kafka engine consumes the normalized topics (named by <c>Modules:Kafka:Topics:Prefix</c>).</summary>
public sealed class ClickHouseKafkaOptions : IValidatableObject
{
    /// <summary>
    /// host:port list the ClickHouse server uses to reach Kafka; it can differ from the daemon's
    /// (the engine connects from the server's network). Empty (default): the daemon's Kafka brokers.
    /// </summary>
    [RegularExpression($"^$|{SqlIdentifier.BrokerListPattern}", ErrorMessage = "must be empty or host:port[,host:port…] (letters, digits, . - _ :)")]
    public string Brokers { get; set; } = "";

    /// <summary>
    /// The named collection holding the engine's Kafka security settings (protocol, SASL, CA), which the queue tables
    /// name instead of carrying them. The embedded engine defines it from <c>Modules:Kafka:Security</c>; a server
    /// defines it in its configuration. Default <c>k2_kafka</c>.
    /// </summary>
    [RegularExpression(SqlIdentifier.Pattern, ErrorMessage = SqlIdentifier.Rule)]
    public string NamedCollection { get; set; } = KafkaNamedCollection.DefaultName;

    /// <summary>Consumer groups are <c>&lt;ConsumerGroupPrefix&gt;-&lt;exchange&gt;</c>. Default <c>k2-clickhouse</c>.</summary>
    [RegularExpression(SqlIdentifier.TopicPrefixPattern, ErrorMessage = "must be letters, digits, . _ - (at most 200)")]
    public string ConsumerGroupPrefix { get; set; } = "k2-clickhouse";

    /// <summary>
    /// Longest time the engine reads one block before writing it (<c>kafka_flush_interval_ms</c>), while messages keep
    /// coming. At low rates a block ends sooner, after ten empty polls (<see cref="PollTimeoutMilliseconds"/>), so this
    /// sets how large the blocks of a burst grow, not the latency of a quiet feed: each block becomes one part in each of
    /// eight tables, and small parts cost merges. Default 2000 ms.
    /// </summary>
    [Range(100, 5000, ErrorMessage = "must be 100–5000 ms (the flush interval bounds ingest latency)")]
    public int FlushIntervalMilliseconds { get; set; } = 2000;

    /// <summary>Rows per block the engine reads before flushing. Default 65536.</summary>
    [Range(1, 1_048_576, ErrorMessage = "must be 1–1048576 rows")]
    public int MaxBlockSize { get; set; } = 65536;

    /// <summary>
    /// Longest wait of one poll of the brokers (<c>kafka_poll_timeout_ms</c>; ClickHouse's default is 500 ms). A poll
    /// waits this long unless it fills a batch, and the engine ends a block after ten polls that found nothing, so at low
    /// rates a trade waits about ten of these (plus the engine's fixed 500 ms pause before it reads again) rather than
    /// the flush interval. Must be below the flush interval. Default 10 ms.
    /// </summary>
    [Range(10, 5000, ErrorMessage = "must be 10–5000 ms")]
    public int PollTimeoutMilliseconds { get; set; } = 10;

    /// <summary>
    /// Most messages one poll hands the engine (<c>kafka_poll_max_batch_size</c>; ClickHouse's default is the block size).
    /// At most <see cref="MaxBlockSize"/>. Default 65536.
    /// </summary>
    [Range(1, 1_048_576, ErrorMessage = "must be 1–1048576 messages")]
    public int PollMaxBatchSize { get; set; } = 65536;

    /// <summary>
    /// Consumers per queue table (<c>kafka_num_consumers</c>), each with its own thread and block
    /// (<c>kafka_thread_per_consumer</c>) when more than one. More than the topic has partitions stay idle; more than
    /// the server has cores compete for them. Default 1.
    /// </summary>
    [Range(1, 64, ErrorMessage = "must be 1–64 consumers per exchange")]
    public int Consumers { get; set; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PollTimeoutMilliseconds >= FlushIntervalMilliseconds)
        {
            yield return new ValidationResult(
                $"{PollTimeoutMilliseconds} ms must be below FlushIntervalMilliseconds ({FlushIntervalMilliseconds} ms): a block ends only after a poll returns",
                [nameof(PollTimeoutMilliseconds)]);
        }

        if (PollMaxBatchSize > MaxBlockSize)
        {
            yield return new ValidationResult($"{PollMaxBatchSize} must be at most MaxBlockSize ({MaxBlockSize}): one poll fills at most one block", [nameof(PollMaxBatchSize)]);
        }
    }
}

/// <summary>
/// The candle check (<c>Modules:ClickHouse:CandleCheck</c>): how often, and over how many closed minutes. Keep the span
/// shorter than the offload's <c>CandleLatenessSeconds</c>, so that a window is settled before it is offloaded.
/// </summary>
public sealed class CandleCheckOptions
{
    /// <summary>Seconds between checks; 0 turns the check off. Default 30.</summary>
    [Range(0, 3600, ErrorMessage = "must be 0 (off) to 3600 seconds")]
    public int IntervalSeconds { get; set; } = 30;

    /// <summary>Closed minutes checked, the newest first. Default 5 (the offload's default lateness is 10 minutes).</summary>
    [Range(1, 1440, ErrorMessage = "must be 1–1440 minutes")]
    public int WindowMinutes { get; set; } = 5;
}

/// <summary>Hot-tier TTLs, all on INSERT time so replayed history survives until it is offloaded.</summary>
public sealed class ClickHouseRetentionOptions
{
    [Range(1, 3650, ErrorMessage = "must be 1–3650 days")]
    public int BronzeDays { get; set; } = 7;

    [Range(1, 3650, ErrorMessage = "must be 1–3650 days")]
    public int SilverDays { get; set; } = 30;

    /// <summary>Rejected Kafka messages (the errors table).</summary>
    [Range(1, 3650, ErrorMessage = "must be 1–3650 days")]
    public int ErrorsDays { get; set; } = 30;
}
