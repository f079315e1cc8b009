using System.ComponentModel.DataAnnotations;
using K2.Core.Configuration;
using K2.Core.Trades;
using K2.Kafka.Topics;

namespace K2.Kafka;

public enum KafkaMode
{
    /// <summary>librdkafka's in-process mock cluster (default; nothing to install).</summary>
    Embedded,

    /// <summary>An external Kafka or Redpanda cluster at <see cref="KafkaOptions.BootstrapServers"/>.</summary>
    External,
}

public sealed class KafkaOptions : ModuleOptions, IValidatableObject
{
    public const string SectionName = "Modules:Kafka";

    /// <summary>Embedded (default) or External.</summary>
    public KafkaMode Mode { get; set; } = KafkaMode.Embedded;

    /// <summary>host:port list of the external cluster; required when <see cref="Mode"/> is External.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>Brokers of the embedded mock cluster. Default 1.</summary>
    [Range(1, 5)]
    public int EmbeddedBrokers { get; set; } = 1;

    /// <summary>Topic layout: partitions per exchange, retention, raw publishing switches.</summary>
    public KafkaTopicOptions Topics { get; set; } = new();

    /// <summary>Producer tuning and the bounded queue in front of it.</summary>
    public KafkaProducerOptions Producer { get; set; } = new();

    /// <summary>The on-disk spool that holds records while the brokers cannot take them.</summary>
    public KafkaSpoolOptions Spool { get; set; } = new();

    /// <summary>Throttling on consumer lag (embedded mode: the mock cluster drops old messages).</summary>
    public KafkaLagThrottleOptions LagThrottle { get; set; } = new();

    /// <summary>How much of each partition's log the embedded mock cluster keeps in memory. Not used in external mode.</summary>
    public KafkaEmbeddedRetentionOptions EmbeddedRetention { get; set; } = new();

    /// <summary>SASL/TLS for an external cluster.</summary>
    public KafkaSecurityOptions Security { get; set; } = new();

    /// <summary>A deliberate outage of the embedded cluster, for fault drills (off by default).</summary>
    public KafkaEmbeddedOutageOptions EmbeddedOutage { get; set; } = new();

    /// <summary>Folder of the local JSONL files used when the module is disabled. Default <c>&lt;DataDir&gt;/kafka-fallback</c>.</summary>
    public string FallbackDir { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Mode == KafkaMode.External && string.IsNullOrWhiteSpace(BootstrapServers))
        {
            yield return new ValidationResult("required when Mode is External; set host:port[,host:port…] of the Kafka/Redpanda brokers", [nameof(BootstrapServers)]);
        }

        if (Mode == KafkaMode.External && EmbeddedOutage.AfterSeconds > 0)
        {
            yield return new ValidationResult("an outage can only be scheduled for the embedded cluster (Mode Embedded); stop an external broker yourself", [$"{nameof(EmbeddedOutage)}:{nameof(KafkaEmbeddedOutageOptions.AfterSeconds)}"]);
        }
    }
}

public sealed class KafkaTopicOptions : IValidatableObject
{
    /// <summary>
    /// Start of every topic name: <c>&lt;Prefix&gt;&lt;exchange&gt;</c>, <c>&lt;Prefix&gt;&lt;exchange&gt;.raw</c>,
    /// <c>&lt;Prefix&gt;dlq</c>. Default <c>market.crypto.trades.</c>.
    /// </summary>
    [RegularExpression("^[A-Za-z0-9._\\-]{1,200}$", ErrorMessage = "must be 1 to 200 characters: letters, digits, . _ -")]
    public string Prefix { get; set; } = KafkaTopicNames.DefaultPrefix;

    /// <summary>Per exchange (binance, kraken, coinbase): partitions and whether raw frames are published.</summary>
    public Dictionary<string, ExchangeTopicOptions> Exchanges { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["binance"] = new() { Partitions = 40, RawPartitions = 40 },
        ["kraken"] = new() { Partitions = 20, RawPartitions = 20 },
        ["coinbase"] = new() { Partitions = 20, RawPartitions = 20 },
    };

    /// <summary>Partitions of market.crypto.trades.dlq. Default 3.</summary>
    [Range(1, 1000, ErrorMessage = "must be 1 to 1000")]
    public int DeadLetterPartitions { get; set; } = 3;

    /// <summary>retention.ms of created topics, in hours. Default 168 (7 days).</summary>
    [Range(1, 87600, ErrorMessage = "must be 1 to 87600 hours")]
    public int RetentionHours { get; set; } = 168;

    /// <summary>Replication factor of created topics (capped at the broker count). Default 1; production 3.</summary>
    [Range(1, 10, ErrorMessage = "must be 1 to 10")]
    public int ReplicationFactor { get; set; } = 1;

    public ExchangeTopicOptions For(Exchange exchange) =>
        Exchanges.TryGetValue(exchange.ToWire(), out var options) ? options : new ExchangeTopicOptions();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var name in Exchanges.Keys.Where(name => !ExchangeNames.TryParse(name, out _)))
        {
            yield return new ValidationResult($"unknown exchange '{name}'; allowed: {ExchangeNames.Allowed}", [nameof(Exchanges)]);
        }
    }
}

public sealed class ExchangeTopicOptions
{
    /// <summary>Partitions of market.crypto.trades.&lt;exchange&gt;.</summary>
    [Range(1, 1000, ErrorMessage = "must be 1 to 1000")]
    public int Partitions { get; set; } = 20;

    /// <summary>Partitions of market.crypto.trades.&lt;exchange&gt;.raw.</summary>
    [Range(1, 1000, ErrorMessage = "must be 1 to 1000")]
    public int RawPartitions { get; set; } = 20;

    /// <summary>Publish the exchange's frames to the raw topic. Default true.</summary>
    public bool PublishRaw { get; set; } = true;
}

public enum KafkaCompression
{
    Lz4,
    Zstd,
}

public sealed class KafkaProducerOptions
{
    /// <summary>
    /// Records (normalized, raw and dead letters) the queue between ingestors and the producer holds.
    /// Default 4096: a full queue waits long enough for its records to fall out of the CPU caches.
    /// </summary>
    [Range(1024, 10_000_000, ErrorMessage = "must be 1024 to 10000000 records")]
    public int QueueCapacity { get; set; } = 4096;

    /// <summary>Records handed to the producer and not yet acknowledged before new ones go to the spool. Default 200000.</summary>
    [Range(100, 5_000_000, ErrorMessage = "must be 100 to 5000000 records")]
    public int MaxInFlight { get; set; } = 200_000;

    /// <summary>
    /// Unacknowledged records the producer holds while the brokers keep acknowledging; beyond them the
    /// pump waits for acknowledgements, so the producer's buffer stays small and hot in cache. When no
    /// acknowledgement has come for a second, the limit is MaxInFlight. Default 5000.
    /// </summary>
    [Range(100, 5_000_000, ErrorMessage = "must be 100 to 5000000 records")]
    public int AckWindow { get; set; } = 5000;

    /// <summary>linger.ms. Default 5.</summary>
    [Range(0, 1000, ErrorMessage = "must be 0 to 1000 ms")]
    public int LingerMs { get; set; } = 5;

    /// <summary>Lz4 (default) or Zstd.</summary>
    public KafkaCompression Compression { get; set; } = KafkaCompression.Lz4;

    /// <summary>batch.size in bytes. Default 1 MiB.</summary>
    [Range(16_384, 64 * 1024 * 1024, ErrorMessage = "must be 16384 to 67108864 bytes")]
    public int BatchBytes { get; set; } = 1024 * 1024;

    /// <summary>How long shutdown waits for the brokers to acknowledge before moving the rest to the spool. Default 20 s.</summary>
    [Range(1, 600, ErrorMessage = "must be 1 to 600 seconds")]
    public int ShutdownFlushSeconds { get; set; } = 20;
}

public sealed class KafkaSpoolOptions
{
    /// <summary>Spool folder. Default <c>&lt;DataDir&gt;/spool</c>.</summary>
    public string Path { get; set; } = "";

    /// <summary>Size cap of the spool; ingest pauses when it is reached. Default 2 GiB.</summary>
    [Range(1024 * 1024, long.MaxValue, ErrorMessage = "must be at least 1048576 bytes")]
    public long MaxBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Size of one segment file. Default 64 MiB.</summary>
    [Range(64 * 1024, 1024L * 1024 * 1024, ErrorMessage = "must be 65536 to 1073741824 bytes")]
    public long SegmentBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Fill level (percent of MaxBytes) from which every growth is logged as a warning. Default 80.</summary>
    [Range(1, 100, ErrorMessage = "must be 1 to 100")]
    public int WarnPercent { get; set; } = 80;
}

public sealed class KafkaLagThrottleOptions
{
    /// <summary>Throttle on consumer lag in embedded mode. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Consumer groups whose lag holds publishing back in embedded mode (ClickHouse's Kafka-engine
    /// groups, <c>&lt;ConsumerGroupPrefix&gt;-&lt;exchange&gt;</c>). Empty: no throttling. Not used in external mode.
    /// </summary>
    public List<string> ConsumerGroups { get; set; } = ["k2-clickhouse-binance", "k2-clickhouse-kraken", "k2-clickhouse-coinbase"];

    /// <summary>
    /// Maximum lag in messages of any partition of a normalized topic before publishing waits. It also caps the blocks
    /// ClickHouse's Kafka engine can read from a partition in a burst: at 10000, bursts reached bronze in blocks of a few
    /// thousand rows, whose parts and merges cost more than the rows themselves. 50,000 lz4-compressed trade messages
    /// stay within the mock cluster's 5 MB per partition (measured, none lost). Default 50000.
    /// </summary>
    [Range(100, 100_000_000, ErrorMessage = "must be 100 to 100000000 messages")]
    public long MaxLagMessages { get; set; } = 50_000;

    /// <summary>How often lag is measured. Default 500 ms.</summary>
    [Range(50, 60_000, ErrorMessage = "must be 50 to 60000 ms")]
    public int PollIntervalMs { get; set; } = 500;
}

public sealed class KafkaEmbeddedRetentionOptions
{
    /// <summary>
    /// Trim the embedded mock cluster's partition logs, which it holds in memory (up to 5 MB per partition otherwise).
    /// Default true.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the logs are trimmed. Default 10 s.</summary>
    [Range(1, 3600, ErrorMessage = "must be 1 to 3600 seconds")]
    public int IntervalSeconds { get; set; } = 10;

    /// <summary>
    /// Newest messages kept per partition of a raw topic, which nothing in K2 consumes. Normalized topics are trimmed
    /// only up to what every consumer group of <see cref="KafkaLagThrottleOptions.ConsumerGroups"/> has committed. Default 1000.
    /// </summary>
    [Range(0, 1_000_000, ErrorMessage = "must be 0 to 1000000 messages")]
    public int RawMessagesPerPartition { get; set; } = 1000;
}

/// <summary>
/// Takes every broker of the embedded cluster down once, <see cref="AfterSeconds"/> after the start, for
/// <see cref="Seconds"/>: what a broker outage does to the daemon (spool, readiness, recovery), rehearsed without a
/// real broker to stop. <c>k2 bench chaos</c> uses it; nothing else does.
/// </summary>
public sealed class KafkaEmbeddedOutageOptions
{
    /// <summary>Seconds after the start the outage begins; 0 (default) schedules none.</summary>
    [Range(0, 86_400, ErrorMessage = "must be 0 (no outage) to 86400 seconds")]
    public int AfterSeconds { get; set; }

    /// <summary>How long the brokers stay down. Default 60 s.</summary>
    [Range(1, 3600, ErrorMessage = "must be 1 to 3600 seconds")]
    public int Seconds { get; set; } = 60;
}

public enum KafkaSecurityProtocol
{
    Plaintext,
    Ssl,
    SaslPlaintext,
    SaslSsl,
}

public enum KafkaSaslMechanism
{
    Plain,
    ScramSha256,
    ScramSha512,
}

public sealed class KafkaSecurityOptions : IValidatableObject
{
    /// <summary>Plaintext (default), Ssl, SaslPlaintext or SaslSsl.</summary>
    public KafkaSecurityProtocol Protocol { get; set; } = KafkaSecurityProtocol.Plaintext;

    /// <summary>Plain, ScramSha256 or ScramSha512 (SASL protocols only).</summary>
    public KafkaSaslMechanism SaslMechanism { get; set; } = KafkaSaslMechanism.ScramSha512;

    public string SaslUsername { get; set; } = "";

    /// <summary>The SASL password. Set it only through the environment (K2__Modules__Kafka__Security__SaslPassword), never in a file.</summary>
    public string SaslPassword { get; set; } = "";

    /// <summary>Name of an environment variable that holds the SASL password (used when SaslPassword is empty).</summary>
    public string SaslPasswordEnvironmentVariable { get; set; } = "";

    /// <summary>PEM file of the CA that signed the brokers' certificates (TLS protocols).</summary>
    public string SslCaLocation { get; set; } = "";

    public bool UsesSasl => Protocol is KafkaSecurityProtocol.SaslPlaintext or KafkaSecurityProtocol.SaslSsl;

    /// <summary>The password from <see cref="SaslPassword"/> or the named environment variable.</summary>
    public string ResolvePassword() =>
        SaslPassword.Length > 0 ? SaslPassword
        : SaslPasswordEnvironmentVariable.Length > 0 ? Environment.GetEnvironmentVariable(SaslPasswordEnvironmentVariable) ?? ""
        : "";

    /// <summary>
    /// The environment variable the password came from: <see cref="SaslPasswordEnvironmentVariable"/>, or the one
    /// <see cref="SaslPassword"/> was bound from (<c>K2__Modules__Kafka__Security__SaslPassword</c>, in whatever case it
    /// was written); null without SASL or when the password was not in the environment.
    /// </summary>
    public string? PasswordEnvironmentVariable()
    {
        if (!UsesSasl) { return null; }
        if (SaslPassword.Length == 0) { return SaslPasswordEnvironmentVariable.Length > 0 ? SaslPasswordEnvironmentVariable : null; }
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            if (string.Equals((string)variable.Key, PasswordConfigurationVariable, StringComparison.OrdinalIgnoreCase) && (string?)variable.Value == SaslPassword)
            {
                return (string)variable.Key;
            }
        }

        return null;
    }

    private const string PasswordConfigurationVariable = "K2__Modules__Kafka__Security__SaslPassword";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!UsesSasl) { yield break; }
        if (SaslUsername.Length == 0)
        {
            yield return new ValidationResult("required when Protocol is SaslPlaintext or SaslSsl", [nameof(SaslUsername)]);
        }

        if (ResolvePassword().Length == 0)
        {
            yield return new ValidationResult(
                "no SASL password: set the environment variable K2__Modules__Kafka__Security__SaslPassword, or name another variable here that is set",
                [nameof(SaslPasswordEnvironmentVariable)]);
        }
    }
}
