using K2.Kafka.Embedded;

namespace K2.Kafka;

/// <summary>
/// Where Kafka clients connect: the external cluster, or the embedded mock cluster, which is
/// started on first use and stopped with the host.
/// </summary>
internal sealed class KafkaBootstrap(KafkaOptions options) : IDisposable
{
    private readonly Lazy<EmbeddedKafkaCluster?> _embedded = new(() =>
        options.Mode == KafkaMode.Embedded ? EmbeddedKafkaCluster.Start(options.EmbeddedBrokers) : null);

    private readonly bool _ownsCluster = true;

    /// <summary>Embedded mode on a cluster someone else started and stops (tests taking brokers down).</summary>
    internal KafkaBootstrap(EmbeddedKafkaCluster cluster)
        : this(new KafkaOptions { Mode = KafkaMode.Embedded })
    {
        _embedded = new Lazy<EmbeddedKafkaCluster?>(cluster);
        _ownsCluster = false;
    }

    public string BootstrapServers => options.Mode == KafkaMode.External ? options.BootstrapServers : _embedded.Value!.BootstrapServers;

    /// <summary>The embedded cluster, or null in external mode.</summary>
    public EmbeddedKafkaCluster? Embedded => _embedded.Value;

    public void Dispose()
    {
        if (_ownsCluster && _embedded.IsValueCreated) { _embedded.Value?.Dispose(); }
    }
}
