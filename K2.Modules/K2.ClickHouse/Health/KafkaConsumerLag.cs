using Confluent.Kafka;
using K2.ClickHouse.Schema;
using K2.Core.Trades;

namespace K2.ClickHouse.Health;

/// <summary>
/// Lag of the Kafka-engine consumer groups measured at the brokers: partition end minus the group's committed
/// offset. Independent of what the server reports about itself, so a consumer that silently stops shows.
/// </summary>
public sealed class KafkaConsumerLag(HotTierSettings settings, Func<string> daemonBrokers)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public IReadOnlyDictionary<Exchange, long> Measure()
    {
        var brokers = daemonBrokers();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = brokers }).Build();
        var lags = new Dictionary<Exchange, long>();
        foreach (var exchange in ExchangeNames.All)
        {
            var topic = settings.Topic(exchange);
            var partitions = admin.GetMetadata(topic, Timeout).Topics
                .Where(t => t.Topic == topic && !t.Error.IsError)
                .SelectMany(t => t.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)))
                .ToList();
            if (partitions.Count == 0) { continue; }
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
            {
                BootstrapServers = brokers,
                GroupId = settings.ConsumerGroup(exchange),
                EnableAutoCommit = false,
            }).Build();
            long lag = 0;
            foreach (var committed in consumer.Committed(partitions, Timeout))
            {
                var watermarks = consumer.QueryWatermarkOffsets(committed.TopicPartition, Timeout);
                var position = committed.Offset == Offset.Unset ? watermarks.Low : committed.Offset;
                lag += Math.Max(0, watermarks.High - position);
            }

            lags[exchange] = lag;
        }

        return lags;
    }
}
