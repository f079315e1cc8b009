using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Health;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Tests.Support;

namespace K2.Tests.ClickHouse;

/// <summary>
/// The Kafka engine reading a topic again from its first offset, as it does with a block whose offset commit failed:
/// bronze keeps the second copy under the same (partition, offset), which tells it from a trade published a second time
/// (a new offset); silver holds each trade once.
/// </summary>
public sealed class RedeliveryTests
{
    [Test]
    public async Task Messages_the_engine_reads_again_repeat_their_coordinates_in_bronze_and_stay_once_in_silver()
    {
        var topics = HotTier.NewTopics();
        await using var hotTier = HotTier.Create(new HotTierSettings(HotTier.NewOptions(), topics, EmbeddedKafka.BootstrapServers));
        var topic = hotTier.Settings.Topic(Exchange.Binance);
        var bronze = hotTier.Table(HotTierMigrations.BronzeTable(Exchange.Binance));
        foreach (var exchange in ExchangeNames.All) { EmbeddedKafka.Cluster.CreateTopic(hotTier.Settings.Topic(exchange), partitions: 2); }
        var first = FixtureTrades.All().Where(t => t.Exchange == Exchange.Binance).ToList();
        await ConsumeAsync(hotTier.Settings);
        await TradePublisher.PublishAsync(topic, first);
        await BronzeHoldsAsync(hotTier, first.Count, "the first delivery");

        // A consumer group with no committed offsets reads the topic from its first offset again.
        var rereading = new HotTierSettings(HotTier.NewOptions(o => o.Database = hotTier.Settings.Database), topics, EmbeddedKafka.BootstrapServers);
        await ConsumeAsync(rereading);
        var later = first.Select(t => t with { TradeId = $"{t.TradeId}1" }).ToList();
        var republished = first[0];
        await TradePublisher.PublishAsync(topic, [.. later, republished]);
        var expectedRows = first.Count + later.Count + 1;
        await BronzeHoldsAsync(hotTier, expectedRows, "the trades published after the topic was read again");

        await BronzeHoldsAsync(hotTier, expectedRows + first.Count, "the first trades read again");
        var row = await HotTier.Gateway.QueryRowsAsync(
            $"SELECT count(), uniqExact(kafka_partition, kafka_offset), uniqExact(trade_id), uniqExactIf((kafka_partition, kafka_offset), trade_id = '{republished.TradeId}') FROM {bronze}");
        row[0].Should().Equal(
            Invariant(expectedRows + first.Count), Invariant(expectedRows), Invariant(first.Count + later.Count), "2");
        // A block reaches silver a moment after bronze.
        await Eventually.Holds(
            async () => (await HotTier.Gateway.QueryRowsAsync($"SELECT count() FROM {hotTier.Table(HotTierMigrations.SilverTable)} FINAL WHERE exchange = 'binance'"))[0][0] == Invariant(first.Count + later.Count),
            TimeSpan.FromSeconds(45), "silver holds each trade once");
        var consumed = await HotTier.Gateway.QueryScalarAsync(
            $"SELECT sum(num_messages_read) FROM system.kafka_consumers WHERE database = '{hotTier.Settings.Database}' AND table = '{KafkaConsumerDdl.QueueTable(Exchange.Binance)}'");
        long.Parse(consumed, CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(expectedRows, "the second consumer read the first trades again");
    }

    private static async Task ConsumeAsync(HotTierSettings settings)
    {
        await new HotTierSchema(HotTier.Gateway, settings, Microsoft.Extensions.Logging.Abstractions.NullLogger<HotTierSchema>.Instance).ApplyAsync();
        await new ConsumerHealth(HotTier.Gateway, settings, HotTier.Lag(settings)).WaitForAssignmentsAsync(TimeSpan.FromSeconds(45));
    }

    private static async Task BronzeHoldsAsync(HotTier hotTier, long rows, string what) =>
        await Eventually.Holds(async () => await hotTier.CountAsync(HotTierMigrations.BronzeTable(Exchange.Binance)) >= rows, TimeSpan.FromSeconds(45), what);

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
