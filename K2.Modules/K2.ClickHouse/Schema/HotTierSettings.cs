using K2.Core.Trades;
using K2.Kafka.Topics;

namespace K2.ClickHouse.Schema;

/// <summary>Everything the hot-tier DDL depends on, validated before any of it reaches SQL.</summary>
public sealed record HotTierSettings
{
    private readonly Lazy<string> _kafkaBrokers;
    private readonly Dictionary<Exchange, string> _topics;

    /// <summary>Settings for consumers of the topics under their default names.</summary>
    public HotTierSettings(ClickHouseOptions options, string kafkaBrokers)
        : this(options, new KafkaTopicNames(), () => kafkaBrokers)
    {
    }

    public HotTierSettings(ClickHouseOptions options, KafkaTopicNames topics, string kafkaBrokers)
        : this(options, topics, () => kafkaBrokers)
    {
    }

    /// <param name="topics">The Kafka module's topic names, which the consumers read.</param>
    /// <param name="kafkaBrokers">Resolved on first use, so commands that never touch the consumers never start a Kafka client.</param>
    public HotTierSettings(ClickHouseOptions options, KafkaTopicNames topics, Func<string> kafkaBrokers)
    {
        Database = SqlIdentifier.Checked(options.Database, "Modules:ClickHouse:Database");
        Cluster = options.Cluster.Length == 0 ? "" : SqlIdentifier.Checked(options.Cluster, "Modules:ClickHouse:Cluster");
        _kafkaBrokers = new Lazy<string>(() => SqlIdentifier.CheckedKafkaName(kafkaBrokers(), "Modules:ClickHouse:Kafka:Brokers"));
        _topics = ExchangeNames.All.ToDictionary(e => e, e => SqlIdentifier.CheckedKafkaName(topics.Normalized(e), "Modules:Kafka:Topics:Prefix"));
        KafkaNamedCollection = SqlIdentifier.Checked(options.Kafka.NamedCollection, "Modules:ClickHouse:Kafka:NamedCollection");
        ConsumerGroupPrefix = SqlIdentifier.CheckedKafkaName(options.Kafka.ConsumerGroupPrefix, "Modules:ClickHouse:Kafka:ConsumerGroupPrefix");
        FlushIntervalMilliseconds = options.Kafka.FlushIntervalMilliseconds;
        MaxBlockSize = options.Kafka.MaxBlockSize;
        PollTimeoutMilliseconds = options.Kafka.PollTimeoutMilliseconds;
        PollMaxBatchSize = options.Kafka.PollMaxBatchSize;
        Consumers = options.Kafka.Consumers;
        Retention = options.Retention;
    }

    public string Database { get; }

    /// <summary>Empty for a single node.</summary>
    public string Cluster { get; }

    public string KafkaBrokers => _kafkaBrokers.Value;

    /// <summary>
    /// The consumers read the embedded cluster, whose offsets restart at 0 with the process: bronze then continues
    /// each partition's offsets from what the hot tier already holds (<see cref="KafkaOffsetBases"/>).
    /// </summary>
    public bool KafkaOffsetsRestart { get; init; }

    /// <summary>The named collection with the engine's Kafka security settings.</summary>
    public string KafkaNamedCollection { get; }

    public string ConsumerGroupPrefix { get; }

    public int FlushIntervalMilliseconds { get; }

    public int MaxBlockSize { get; }

    public int PollTimeoutMilliseconds { get; }

    public int PollMaxBatchSize { get; }

    /// <summary>Consumers per queue table.</summary>
    public int Consumers { get; }

    public ClickHouseRetentionOptions Retention { get; }

    /// <summary>The normalized topic of the exchange.</summary>
    public string Topic(Exchange exchange) => _topics[exchange];

    public string ConsumerGroup(Exchange exchange) => $"{ConsumerGroupPrefix}-{exchange.ToWire()}";

    /// <summary><c>database.name</c>.</summary>
    public string Table(string name) => $"{Database}.{name}";

    /// <summary>The <c>ON CLUSTER</c> clause, or nothing on a single node.</summary>
    public string OnCluster => Cluster.Length == 0 ? "" : $" ON CLUSTER {Cluster}";

    /// <summary>A MergeTree-family engine, replicated when a cluster is configured.</summary>
    public string Engine(string mergeTree, string arguments = "") =>
        $"{(Cluster.Length == 0 ? "" : "Replicated")}{mergeTree}{(arguments.Length == 0 && Cluster.Length == 0 ? "" : $"({arguments})")}";
}
