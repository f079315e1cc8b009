using Confluent.Kafka;
using K2.Kafka.Lag;
using K2.Kafka.Topics;

namespace K2.Kafka;

/// <summary>
/// The Kafka module's seam for the modules that read what it publishes: where the daemon reaches the brokers, client
/// configurations carrying the module's SASL/TLS settings, the topic names, those security settings for clients
/// configured outside .NET (ClickHouse's Kafka engine), and consumer-group lag, measured here for every caller.
/// <see cref="KafkaModule.AddKafka"/> registers it even with the module disabled: the cluster another process
/// publishes to has the same topics and security.
/// </summary>
public sealed class KafkaConnection
{
    private readonly KafkaOptions _options;
    private readonly Func<string?> _bootstrapServers;

    /// <param name="bootstrapServers">Where this process reaches the brokers; null when it publishes to none.</param>
    public KafkaConnection(KafkaOptions options, string? bootstrapServers)
        : this(options, () => bootstrapServers, bootstrapServers is not null && options.Mode == KafkaMode.Embedded)
    {
    }

    /// <summary>The daemon's connection: the brokers the module publishes to.</summary>
    internal KafkaConnection(KafkaOptions options, KafkaBootstrap bootstrap)
        : this(options, () => bootstrap.BootstrapServers, options.Mode == KafkaMode.Embedded)
    {
    }

    private KafkaConnection(KafkaOptions options, Func<string?> bootstrapServers, bool offsetsRestartWithProcess)
    {
        OffsetsRestartWithProcess = offsetsRestartWithProcess;
        _options = options;
        _bootstrapServers = bootstrapServers;
        Topics = new KafkaTopicNames(options.Topics.Prefix);
        Security = KafkaClientSecurity.From(options.Security);
    }

    /// <summary>
    /// The brokers as the daemon reaches them (reading it starts the embedded cluster); null when the module is
    /// disabled. Servers elsewhere may reach them on other addresses.
    /// </summary>
    public string? BootstrapServers => _bootstrapServers();

    /// <summary>
    /// True when the brokers are the embedded cluster: it lives and dies with this process, so after a restart every
    /// partition numbers its offsets from 0 again. External brokers keep their offsets.
    /// </summary>
    public bool OffsetsRestartWithProcess { get; }

    public KafkaTopicNames Topics { get; }

    public KafkaClientSecurity Security { get; }

    /// <summary>Sets the brokers of <paramref name="config"/> and the module's client settings: SASL/TLS, client id, reconnect backoff.</summary>
    public T Configure<T>(T config, string bootstrapServers) where T : ClientConfig => KafkaClientConfig.Apply(config, _options, bootstrapServers);

    /// <summary>Clients that measure consumer-group lag at <paramref name="bootstrapServers"/>; dispose it after use.</summary>
    public ConsumerLagProbe OpenLagProbe(string bootstrapServers) => new(this, bootstrapServers);
}
