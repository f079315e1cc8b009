using System.Diagnostics;
using K2.ClickHouse;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Health;
using K2.ClickHouse.Operations;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Tests.ClickHouse;

/// <summary>
/// The candle check that runs in the daemon: a block the Kafka engine delivered twice (a broker outage cut its offset
/// commit) and a minute whose candles a kill mid-insert never wrote are found and rebuilt from silver, every candle table,
/// without anyone running a repair.
/// </summary>
public sealed class CandleCheckTests
{
    [Test]
    public async Task Candles_a_redelivery_doubled_and_a_kill_left_out_are_rebuilt_from_silver_by_the_daemon()
    {
        await using var hotTier = HotTier.Create();
        await hotTier.Schema.ApplyAsync();
        var trades = FixtureTrades.All();
        await DuplicateRepairTests.InsertIntoBronzeAsync(hotTier, trades);
        var redelivered = trades.Where(t => t.Exchange == Exchange.Binance).Take(20).ToList();
        await DuplicateRepairTests.InsertIntoBronzeAsync(hotTier, redelivered);
        var lastMinute = CandleInterval.All[0].WindowStart(DateTimeOffset.FromUnixTimeMilliseconds(trades.Where(t => t.Exchange == Exchange.Kraken).Max(t => t.ExchangeTimestampUs) / 1000));
        await HotTier.Gateway.ExecuteAsync(
            $"ALTER TABLE {hotTier.Table(CandleInterval.All[0].Table)} DELETE WHERE exchange = 'kraken' AND window_start = toDateTime({lastMinute.ToUnixTimeSeconds()}, 'UTC') SETTINGS mutations_sync = 2");
        var clock = new FixedNow(DateTimeOffset.FromUnixTimeMilliseconds(trades.Max(t => t.ExchangeTimestampUs) / 1000).AddMinutes(2));

        // The fixture spans less than a day.
        var options = HotTier.NewOptions(o => o.CandleCheck = new CandleCheckOptions { IntervalSeconds = 1, WindowMinutes = 1440 });
        var health = new HotTierHealth();
        health.SchemaApplied("test");
        var check = new CandleCheck(HotTier.Gateway, hotTier.Settings, health, new CandleRepair(HotTier.Gateway, hotTier.Settings, NullLogger<CandleRepair>.Instance),
            options, clock, NullLogger<CandleCheck>.Instance);

        var differing = await check.DifferingMinutesAsync(CancellationToken.None);

        differing.Keys.Should().BeEquivalentTo(
            redelivered.Select(t => CandleInterval.All[0].WindowStart(DateTimeOffset.FromUnixTimeMilliseconds(t.ExchangeTimestampUs / 1000))).Append(lastMinute).Distinct(),
            "the redelivered Binance trades doubled their minutes, and kraken's candles of its last minute were never written");
        await check.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.Holds(async () => (await check.DifferingMinutesAsync(CancellationToken.None)).Count == 0, TimeSpan.FromSeconds(60), "the check rebuilt every differing minute");
        }
        finally
        {
            await check.StopAsync(CancellationToken.None);
        }

        foreach (var interval in CandleInterval.All)
        {
            var actual = await hotTier.CandlesAsync(interval);
            var expected = ExpectedCandles.For(interval, trades);
            actual.Except(expected).Should().BeEmpty($"candles {interval.Name} equal the trades once each (expected {string.Join("; ", expected.Except(actual))})");
            actual.Should().Equal(expected, $"candles {interval.Name} equal the trades once each");
        }
    }

    [Test]
    public async Task A_rebuild_a_kill_cut_after_deleting_an_hour_is_run_again_by_the_check_of_the_next_process()
    {
        await using var hotTier = HotTier.Create();
        await hotTier.Schema.ApplyAsync();
        var trades = FixtureTrades.All();
        await DuplicateRepairTests.InsertIntoBronzeAsync(hotTier, trades);
        var repair = new CandleRepair(HotTier.Gateway, hotTier.Settings, NullLogger<CandleRepair>.Instance);
        var hour = CandleInterval.All.Single(i => i.Name == "1h");
        var minute = CandleInterval.All[0].WindowStart(DateTimeOffset.FromUnixTimeMilliseconds(trades[0].ExchangeTimestampUs / 1000));

        // What a SIGKILL between a rebuild's delete of the hour and its insert leaves: begun, the hour gone, not finished.
        await repair.RecordAsync(minute, minute + CandleInterval.All[0].Length, finished: false, CancellationToken.None);
        await HotTier.Gateway.ExecuteAsync(
            $"ALTER TABLE {hotTier.Table(hour.Table)} DELETE WHERE window_start = toDateTime({hour.WindowStart(minute).ToUnixTimeSeconds()}, 'UTC') SETTINGS mutations_sync = 2");
        (await hotTier.CandlesAsync(hour)).Should().NotEqual(ExpectedCandles.For(hour, trades));

        var health = new HotTierHealth();
        health.SchemaApplied("test");
        var check = new CandleCheck(HotTier.Gateway, hotTier.Settings, health, repair,
            HotTier.NewOptions(o => o.CandleCheck = new CandleCheckOptions { IntervalSeconds = 1, WindowMinutes = 1440 }),
            new FixedNow(DateTimeOffset.FromUnixTimeMilliseconds(trades.Max(t => t.ExchangeTimestampUs) / 1000).AddMinutes(2)), NullLogger<CandleCheck>.Instance);
        (await check.DifferingMinutesAsync(CancellationToken.None)).Should().BeEmpty("the one-minute candles are whole: only the hour is missing");
        await check.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.Holds(async () => (await hotTier.CandlesAsync(hour)).SequenceEqual(ExpectedCandles.For(hour, trades)), TimeSpan.FromSeconds(60), "the check ran the cut rebuild again");
        }
        finally
        {
            await check.StopAsync(CancellationToken.None);
        }

        foreach (var interval in CandleInterval.All)
        {
            (await hotTier.CandlesAsync(interval)).Should().Equal(ExpectedCandles.For(interval, trades), $"candles {interval.Name} equal the trades once each");
        }

        (await repair.FinishInterruptedAsync(DateTimeOffset.UtcNow)).Should().Be(0, "the rebuild recorded its end");
    }

    [Test]
    public async Task Trades_consumed_while_a_rebuild_runs_count_once_in_every_candle_table()
    {
        await using var hotTier = await ConsumingHotTierAsync();
        await new ConsumerHealth(HotTier.Gateway, hotTier.Settings, HotTier.Lag(hotTier.Settings)).WaitForAssignmentsAsync(TimeSpan.FromSeconds(45));
        var fixture = FixtureTrades.All().Where(t => t.Exchange == Exchange.Binance).ToList();
        var repair = new CandleRepair(HotTier.Gateway, hotTier.Settings, NullLogger<CandleRepair>.Instance);
        var from = CandleInterval.All[0].WindowStart(DateTimeOffset.FromUnixTimeMilliseconds(fixture.Min(t => t.ExchangeTimestampUs) / 1000));
        var to = CandleInterval.All[0].WindowStart(DateTimeOffset.FromUnixTimeMilliseconds(fixture.Max(t => t.ExchangeTimestampUs) / 1000)) + CandleInterval.All[0].Length;

        // The same trades under new ids, a batch every 100 ms, while the windows they fall in are rebuilt over and over.
        var published = new List<NormalizedTrade>();
        using var publishing = new CancellationTokenSource();
        var publisher = Task.Run(async () =>
        {
            for (var batch = 0; !publishing.IsCancellationRequested; batch++)
            {
                var trades = fixture.Select(t => t with { TradeId = $"{t.TradeId}{batch:D4}" }).ToList();
                await TradePublisher.PublishAsync(hotTier.Settings.Topic(Exchange.Binance), trades);
                published.AddRange(trades);
                await Task.Delay(100);
            }
        });
        var rebuilding = Stopwatch.StartNew();
        while (rebuilding.Elapsed < TimeSpan.FromSeconds(20)) { await repair.RepairAsync(from, to); }
        await publishing.CancelAsync();
        await publisher;

        // Silver, then the candle tables: the parts of one insert become visible one after the other.
        foreach (var interval in CandleInterval.All)
        {
            var expected = ExpectedCandles.For(interval, published);
            await Eventually.Holds(async () => (await hotTier.CandlesAsync(interval)).SequenceEqual(expected), TimeSpan.FromSeconds(120),
                () => $"candles {interval.Name} count each of the {published.Count} trades once: {string.Join("; ", hotTier.CandlesAsync(interval).Result.Select(c => $"{c.Symbol} {c.WindowStart:t} {c.TradeCount}"))} against {string.Join("; ", expected.Select(c => $"{c.Symbol} {c.WindowStart:t} {c.TradeCount}"))}");
        }
    }

    [Test]
    public async Task A_queue_table_a_kill_left_detached_mid_rebuild_is_attached_at_the_next_start_and_consumes_again()
    {
        await using var hotTier = await ConsumingHotTierAsync();
        var queue = KafkaConsumerDdl.QueueTable(Exchange.Kraken);
        await HotTier.Gateway.ExecuteAsync($"DETACH TABLE {hotTier.Table(queue)}");
        var trades = FixtureTrades.All().Where(t => t.Exchange == Exchange.Kraken).ToList();
        await TradePublisher.PublishAsync(hotTier.Settings.Topic(Exchange.Kraken), trades);

        var restart = await hotTier.Schema.ApplyAsync();

        restart.ConsumersCreated.Should().BeEmpty("the attached queue table is the configured one");
        await Eventually.Holds(async () => await hotTier.CountAsync(HotTierMigrations.SilverTable, "exchange = 'kraken'") == trades.Count, TimeSpan.FromSeconds(60),
            "the trades published while the queue table was detached reached silver");
    }

    [Test]
    public async Task Candles_equal_to_silver_are_left_alone()
    {
        await using var hotTier = HotTier.Create();
        await hotTier.Schema.ApplyAsync();
        var trades = FixtureTrades.All();
        await DuplicateRepairTests.InsertIntoBronzeAsync(hotTier, trades);
        var health = new HotTierHealth();
        health.SchemaApplied("test");
        var check = new CandleCheck(HotTier.Gateway, hotTier.Settings, health, new CandleRepair(HotTier.Gateway, hotTier.Settings, NullLogger<CandleRepair>.Instance),
            HotTier.NewOptions(o => o.CandleCheck = new CandleCheckOptions { WindowMinutes = 1440 }),
            new FixedNow(DateTimeOffset.FromUnixTimeMilliseconds(trades.Max(t => t.ExchangeTimestampUs) / 1000).AddMinutes(2)), NullLogger<CandleCheck>.Instance);

        (await check.DifferingMinutesAsync(CancellationToken.None)).Should().BeEmpty();
    }

    /// <summary>A hot tier whose Kafka-engine consumers read topics of their own on the embedded cluster.</summary>
    private static async Task<HotTier> ConsumingHotTierAsync()
    {
        var hotTier = HotTier.Create(new HotTierSettings(HotTier.NewOptions(), HotTier.NewTopics(), EmbeddedKafka.BootstrapServers));
        foreach (var exchange in ExchangeNames.All) { EmbeddedKafka.Cluster.CreateTopic(hotTier.Settings.Topic(exchange), partitions: 2); }
        await hotTier.Schema.ApplyAsync();
        return hotTier;
    }

    /// <summary>The wall clock standing at one moment; timers run in real time.</summary>
    private sealed class FixedNow(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
