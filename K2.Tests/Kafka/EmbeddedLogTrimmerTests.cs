using System.Text;
using Confluent.Kafka;
using K2.Core.Trades;
using K2.Kafka.Embedded;
using K2.Tests.Support;

namespace K2.Tests.Kafka;

/// <summary>
/// The embedded cluster's logs are trimmed in memory: a normalized partition only up to what the consumer group has
/// committed (never before its first commit), a raw partition to its newest few messages; what the group has not
/// read stays readable.
/// </summary>
[TestFixture]
public sealed class EmbeddedLogTrimmerTests
{
    private const string Topic = "market.crypto.trades.binance";
    private const string RawTopic = "market.crypto.trades.binance.raw";
    private const string Group = "trim-test-consumers";
    private const int RawKept = 5;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Test]
    public async Task Consumed_normalized_and_surplus_raw_messages_are_dropped_and_nothing_unread_is()
    {
        using var cluster = EmbeddedKafkaCluster.Start();
        var settings = KafkaSettings.Small(
            ("LagThrottle:ConsumerGroups:0", Group), ("Producer:MaxInFlight", "5000"),
            ("EmbeddedRetention:IntervalSeconds", "1"), ("EmbeddedRetention:RawMessagesPerPartition", RawKept.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await using var host = await KafkaModuleHost.StartAsync(TestPaths.NewScratchFolder("kafka-trim"), settings, cluster);
        await Eventually.Holds(() => host.Publisher.TopicsReady, TimeSpan.FromSeconds(30), "topics created");
        var trades = SyntheticTrades.Interleaved(symbols: 8, perSymbol: 100);
        for (var at = 0; at < trades.Count; at += 10)
        {
            var frame = trades.Skip(at).Take(10).ToList();
            await host.Trades.PublishAsync(Exchange.Binance, Encoding.UTF8.GetBytes($"frame {at}"), frame, frame[0].ReceiveTimestampUs, CancellationToken.None);
        }

        await Eventually.Holds(() => host.Publisher.IsDrained, TimeSpan.FromSeconds(30), "everything published");
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = Group, EnableAutoCommit = false }).Build();
        var raw = Partitions(consumer, RawTopic, 2);
        await Eventually.Holds(() => raw.All(p => Ends(consumer, p) is var (low, high) && low == Math.Max(0, high - RawKept)), TimeSpan.FromSeconds(30), "raw partitions trimmed to their newest messages");
        var normalized = Partitions(consumer, Topic, 4);
        normalized.Select(p => Ends(consumer, p).Low).Should().AllBeEquivalentTo(0L, "the group has committed nothing yet");

        var committed = normalized.Select(p => new TopicPartitionOffset(p, Ends(consumer, p).High / 2)).ToList();
        consumer.Commit(committed);
        await Eventually.Holds(() => committed.All(c => Ends(consumer, c.TopicPartition).Low == c.Offset.Value), TimeSpan.FromSeconds(30), "normalized partitions trimmed up to the commit");

        var unread = committed.Sum(c => Ends(consumer, c.TopicPartition).High - c.Offset.Value);
        var read = Kcat.ReadAll(cluster.BootstrapServers, Topic);
        read.Should().HaveCount((int)unread, "every message the group has not read is still there");
        read.Should().OnlyContain(m => m.Offset >= committed.Single(c => c.Partition.Value == m.Partition).Offset.Value);
        unread.Should().BeGreaterThan(trades.Count / 3);
    }

    private static List<TopicPartition> Partitions(IConsumer<Ignore, Ignore> consumer, string topic, int count) =>
        [.. Enumerable.Range(0, count).Select(p => new TopicPartition(topic, p))];

    private static (long Low, long High) Ends(IConsumer<Ignore, Ignore> consumer, TopicPartition partition)
    {
        var ends = consumer.QueryWatermarkOffsets(partition, Timeout);
        return (ends.Low.Value, ends.High.Value);
    }
}
