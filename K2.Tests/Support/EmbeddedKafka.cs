using K2.Kafka.Embedded;

namespace K2.Tests.Support;

/// <summary>
/// The shared librdkafka mock cluster of the test process. Tests that take brokers down must
/// start their own with <see cref="EmbeddedKafkaCluster.Start"/> instead.
/// </summary>
public static class EmbeddedKafka
{
    private static readonly Lazy<EmbeddedKafkaCluster> Shared = new(() => EmbeddedKafkaCluster.Start(brokerCount: 1));

    public static EmbeddedKafkaCluster Cluster => Shared.Value;

    public static string BootstrapServers => Cluster.BootstrapServers;

    /// <summary>A topic name no other test uses.</summary>
    public static string NewTopicName(string prefix = "test") => $"{prefix}.{Guid.NewGuid():N}";

    internal static void StopIfStarted()
    {
        if (Shared.IsValueCreated) { Shared.Value.Dispose(); }
    }
}
