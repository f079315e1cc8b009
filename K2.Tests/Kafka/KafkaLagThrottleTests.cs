using Confluent.Kafka;
using K2.Kafka.Embedded;
using K2.Tests.Support;

namespace K2.Tests.Kafka;

[TestFixture]
public sealed class KafkaLagThrottleTests
{
    private const string Topic = "market.crypto.trades.binance";
    private const string Group = "lag-test-consumers";

    [Test]
    public async Task Publishing_waits_for_a_lagging_consumer_group_and_loses_nothing()
    {
        using var cluster = EmbeddedKafkaCluster.Start();
        var settings = KafkaSettings.Small(
            ("LagThrottle:ConsumerGroups:0", Group), ("LagThrottle:MaxLagMessages", "100"), ("LagThrottle:PollIntervalMs", "50"));
        await using var host = await KafkaModuleHost.StartAsync(TestPaths.NewScratchFolder("kafka"), settings, cluster);
        var publisher = host.Publisher;
        await Eventually.Holds(() => publisher.TopicsReady, TimeSpan.FromSeconds(30), "topics created");
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers, GroupId = Group, EnableAutoCommit = false, AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        var partitions = Enumerable.Range(0, 4).Select(p => new TopicPartition(Topic, p)).ToList();
        consumer.Commit(partitions.Select(p => new TopicPartitionOffset(p, 0)));

        var trades = SyntheticTrades.Interleaved(symbols: 8, perSymbol: 250);
        await SyntheticTrades.PublishAsync(host.Trades, trades);
        await Eventually.Holds(() => publisher.LagThrottled, TimeSpan.FromSeconds(30), "publishing held back by the group's lag");
        await Eventually.Holds(() => publisher.InFlight == 0, TimeSpan.FromSeconds(30), "what was sent is acknowledged");
        var published = partitions.Sum(p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(5)).High.Value);
        published.Should().BeLessThan(trades.Count / 2, "the rest waits in the spool while the group lags");
        publisher.SpooledRecords.Should().BeGreaterThan(0);

        consumer.Commit(partitions.Select(p => new TopicPartitionOffset(p, consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(5)).High)));
        await Eventually.Holds(() => CatchUp(consumer, partitions) && publisher.IsDrained, TimeSpan.FromSeconds(30), "the group caught up and everything was published");
        await host.StopAsync();

        SyntheticTrades.ShouldHoldExactlyOnceInOrder(Kcat.ReadAll(cluster.BootstrapServers, Topic), trades);
    }

    /// <summary>Commits the end of every partition as a caught-up consumer would; true once nothing more arrives.</summary>
    private static bool CatchUp(IConsumer<Ignore, Ignore> consumer, List<TopicPartition> partitions)
    {
        var ends = partitions.Select(p => new TopicPartitionOffset(p, consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(5)).High)).ToList();
        consumer.Commit(ends);
        return ends.Sum(e => e.Offset.Value) > 0 && partitions.All(p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(5)).High == ends.Single(e => e.TopicPartition == p).Offset);
    }
}
