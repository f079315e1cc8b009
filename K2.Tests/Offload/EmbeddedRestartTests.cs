using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Health;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Kafka;
using K2.Kafka.Embedded;
using K2.Offload.Runs;
using K2.Offload.Tables;
using K2.Tests.ClickHouse;
using K2.Tests.Iceberg;
using K2.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Tests.Offload;

/// <summary>
/// Embedded Kafka mode: every daemon start brings a new mock cluster whose offsets start at 0 again. The trades
/// published after a restart still reach cold bronze and cold silver.
/// </summary>
[TestFixture]
public sealed class EmbeddedRestartTests
{
    private const int BeforeRestart = 120;
    private const int AfterRestart = 50;

    [Test]
    public async Task Trades_published_after_the_embedded_cluster_restarts_at_offset_0_all_reach_cold_bronze_and_silver()
    {
        var options = HotTier.NewOptions();
        var topics = HotTier.NewTopics();
        var trades = Trades(BeforeRestart + AfterRestart);
        var first = EmbeddedKafkaCluster.Start();
        var hot = HotTier.Create(Settings(options, topics, first));
        await using var rig = await OffloadRig.StartAsync(beforeSchema: h => CreateTopics(first, h.Settings), hot: hot);
        await PublishAndWaitAsync(hot.Settings, first, trades.Take(BeforeRestart), BeforeRestart);
        var runner = rig.NewRunner();
        IReadOnlyCollection<ColdTable> tables = [ColdTables.Bronze.Single(t => t.HotTable == HotTierMigrations.BronzeTable(Exchange.Binance)), ColdTables.Silver];
        (await runner.RunAsync(tables)).Should().OnlyContain(r => r.Outcome == OffloadOutcome.Committed && r.Rows == BeforeRestart);
        first.Dispose();

        using var second = EmbeddedKafkaCluster.Start();
        var restarted = Settings(options, topics, second);
        CreateTopics(second, restarted);
        (await new HotTierSchema(HotTier.Gateway, restarted, NullLogger<HotTierSchema>.Instance).ApplyAsync()).ConsumersCreated.Should().Contain(Exchange.Binance);
        await PublishAndWaitAsync(restarted, second, trades.Skip(BeforeRestart), BeforeRestart + AfterRestart);
        (await runner.RunAsync(tables)).Should().OnlyContain(r => r.Outcome == OffloadOutcome.Committed && r.Rows == AfterRestart);

        foreach (var table in tables)
        {
            TestWarehouses.Query($"SELECT count(), uniqExact(trade_id) FROM {TestWarehouses.ChDbSource(await rig.ColdAsync(table))}")
                .Should().Be($"{BeforeRestart + AfterRestart}\t{BeforeRestart + AfterRestart}", $"{table.Identifier} holds every trade once");
        }

        (await HotTier.Gateway.QueryScalarAsync($"SELECT uniqExact(kafka_partition, kafka_offset) = count() FROM {hot.Table(HotTierMigrations.BronzeTable(Exchange.Binance))}"))
            .Should().Be("1", "offsets continue across the restart instead of repeating");
    }

    private static HotTierSettings Settings(global::K2.ClickHouse.ClickHouseOptions options, K2.Kafka.Topics.KafkaTopicNames topics, EmbeddedKafkaCluster cluster) =>
        new(options, topics, cluster.BootstrapServers) { KafkaOffsetsRestart = true };

    private static void CreateTopics(EmbeddedKafkaCluster cluster, HotTierSettings settings)
    {
        foreach (var exchange in ExchangeNames.All) { cluster.CreateTopic(settings.Topic(exchange), partitions: 2); }
    }

    private static async Task PublishAndWaitAsync(HotTierSettings settings, EmbeddedKafkaCluster cluster, IEnumerable<NormalizedTrade> trades, int expectedInBronze)
    {
        var lag = new KafkaConsumerLag(settings, new KafkaConnection(new KafkaOptions(), cluster.BootstrapServers), () => cluster.BootstrapServers);
        await new ConsumerHealth(HotTier.Gateway, settings, lag).WaitForAssignmentsAsync(TimeSpan.FromSeconds(45));
        await TradePublisher.PublishAsync(settings.Topic(Exchange.Binance), trades, cluster.BootstrapServers);
        await Eventually.Holds(async () => long.Parse(await HotTier.Gateway.QueryScalarAsync($"SELECT count() FROM {settings.Table(HotTierMigrations.BronzeTable(Exchange.Binance))}"), CultureInfo.InvariantCulture) >= expectedInBronze
                && long.Parse(await HotTier.Gateway.QueryScalarAsync($"SELECT uniqExact(trade_id) FROM {settings.Table(HotTierMigrations.SilverTable)}"), CultureInfo.InvariantCulture) >= expectedInBronze,
            TimeSpan.FromSeconds(45), $"{expectedInBronze} trades in bronze and silver");
    }

    // Several symbols, so the trades spread over both partitions.
    private static List<NormalizedTrade> Trades(int count) =>
    [
        .. Enumerable.Range(0, count).Select(i =>
        {
            var symbol = new[] { "BTC", "ETH", "SOL", "DOGE" }[i % 4];
            var time = new DateTimeOffset(HotTrades.Day).ToUnixTimeMilliseconds() * 1000 + i * 1_000_000L;
            return new NormalizedTrade(Exchange.Binance, $"{symbol}USDT", $"{symbol}/USDT", (1000 + i).ToString(CultureInfo.InvariantCulture),
                100m + i, 0.5m, i % 2 == 0 ? TradeSide.Buy : TradeSide.Sell, time, time + 2000, new TradeExtras(IsBuyerMaker: i % 2 == 1));
        }),
    ];
}
