using K2.Core.Trades;

namespace K2.ClickHouse.Schema;

/// <summary>Everything the hot-tier DDL depends on, validated before any of it reaches SQL.</summary>
public sealed record HotTierSettings
{
    private readonly Lazy<string> _kafkaBrokers;

    public HotTierSettings(ClickHouseOptions options, string kafkaBrokers)
        : this(options, () => kafkaBrokers)
    {
    }

    /// <param name="kafkaBrokers">Resolved on first use, so commands that never touch the consumers never start a Kafka client.</param>
    public HotTierSettings(ClickHouseOptions options, Func<string> kafkaBrokers)
    {
        Database = SqlIdentifier.Checked(options.Database, "Modules:ClickHouse:Database");
        Cluster = options.Cluster.Length == 0 ? "" : SqlIdentifier.Checked(options.Cluster, "Modules:ClickHouse:Cluster");
        _kafkaBrokers = new Lazy<string>(() => SqlIdentifier.CheckedKafkaName(kafkaBrokers(), "Modules:ClickHouse:Kafka:Brokers"));
        TopicPrefix = SqlIdentifier.CheckedKafkaName(options.Kafka.TopicPrefix, "Modules:ClickHouse:Kafka:TopicPrefix");
        ConsumerGroupPrefix = SqlIdentifier.CheckedKafkaName(options.Kafka.ConsumerGroupPrefix, "Modules:ClickHouse:Kafka:ConsumerGroupPrefix");
        FlushIntervalMilliseconds = options.Kafka.FlushIntervalMilliseconds;
        MaxBlockSize = options.Kafka.MaxBlockSize;
        Retention = options.Retention;
    }

    public string Database { get; }

    /// <summary>Empty for a single node.</summary>
    public string Cluster { get; }

    public string KafkaBrokers => _kafkaBrokers.Value;

    public string TopicPrefix { get; }

    public string ConsumerGroupPrefix { get; }

    public int FlushIntervalMilliseconds { get; }

    public int MaxBlockSize { get; }

    public ClickHouseRetentionOptions Retention { get; }

    public string Topic(Exchange exchange) => TopicPrefix + exchange.ToWire();

    public string ConsumerGroup(Exchange exchange) => $"{ConsumerGroupPrefix}-{exchange.ToWire()}";

    /// <summary><c>database.name</c>.</summary>
    public string Table(string name) => $"{Database}.{name}";

    /// <summary>The <c>ON CLUSTER</c> clause, or nothing on a single node.</summary>
    public string OnCluster => Cluster.Length == 0 ? "" : $" ON CLUSTER {Cluster}";

    /// <summary>A MergeTree-family engine, replicated when a cluster is configured.</summary>
    public string Engine(string mergeTree, string arguments = "") =>
        $"{(Cluster.Length == 0 ? "" : "Replicated")}{mergeTree}{(arguments.Length == 0 && Cluster.Length == 0 ? "" : $"({arguments})")}";
}
