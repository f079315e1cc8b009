using System.Globalization;
using K2.Core.Health;

namespace K2.Kafka;

/// <summary>The Kafka section of <c>k2 status</c>, read from the publisher's gauges.</summary>
internal sealed class KafkaStatus(KafkaBootstrap bootstrap) : IStatusContributor
{
    public int Order => 25;

    public StatusSection Snapshot()
    {
        static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
        var paused = KafkaMetrics.IngestPaused.Value > 0;
        var throttled = KafkaMetrics.LagThrottled.Value > 0;
        var state = paused ? "PAUSED (spool full)" : throttled ? "throttled (consumer lag)" : "publishing";
        return new StatusSection(
            "Kafka",
            ["brokers", "state", "queue", "in flight", "spool records", "spool MiB", "spool cap MiB"],
            [[
                bootstrap.BootstrapServers,
                state,
                N(KafkaMetrics.QueueDepth.Value),
                N(KafkaMetrics.InFlight.Value),
                N(KafkaMetrics.SpoolRecords.Value),
                (KafkaMetrics.SpoolBytes.Value / 1048576).ToString("F1", CultureInfo.InvariantCulture),
                (KafkaMetrics.SpoolMaxBytes.Value / 1048576).ToString("F0", CultureInfo.InvariantCulture),
            ]],
            []);
    }
}
