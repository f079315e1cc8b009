using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Kafka;

namespace K2.ClickHouse.Health;

/// <summary>
/// Lag of the Kafka-engine consumer groups measured at the brokers by the Kafka module (with its SASL/TLS settings):
/// partition end minus the group's committed offset, from the partition's start where it committed nothing.
/// Independent of what the server reports about itself, so a consumer that silently stops shows.
/// </summary>
/// <param name="brokers">Where the daemon reaches the brokers: its own Kafka module's, else the engine's.</param>
public sealed class KafkaConsumerLag(HotTierSettings settings, KafkaConnection connection, Func<string> brokers)
{
    public async Task<IReadOnlyDictionary<Exchange, long>> MeasureAsync(CancellationToken cancellationToken = default)
    {
        using var probe = connection.OpenLagProbe(brokers());
        var lags = new Dictionary<Exchange, long>();
        foreach (var exchange in ExchangeNames.All)
        {
            var partitions = await probe.MeasureAsync(settings.ConsumerGroup(exchange), [settings.Topic(exchange)], committedTopicsOnly: false, cancellationToken).ConfigureAwait(false);
            if (partitions.Count > 0) { lags[exchange] = partitions.Sum(p => Math.Max(0, p.Lag)); }
        }

        return lags;
    }
}
