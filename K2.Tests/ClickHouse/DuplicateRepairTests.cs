using System.Text;
using K2.ClickHouse.Operations;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Kafka.Publishing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Tests.ClickHouse;

/// <summary>At-least-once delivery and backfill: batches written straight into bronze, as the Kafka engine writes them.</summary>
public sealed class DuplicateRepairTests
{
    private static readonly DateTimeOffset From = new(2026, 2, 17, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2026, 2, 19, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task A_redelivered_batch_is_reported_per_table_and_hour_and_the_repair_restores_every_candle()
    {
        await using var hotTier = HotTier.Create();
        await hotTier.Schema.ApplyAsync();
        var trades = FixtureTrades.All();
        await InsertIntoBronzeAsync(hotTier, trades);
        var redelivered = trades.Where(t => t.Exchange == Exchange.Binance).Take(20).ToList();

        await InsertIntoBronzeAsync(hotTier, redelivered);
        var report = await new DuplicateReport(HotTier.Gateway, hotTier.Settings).FindAsync(From, To);

        report.Where(h => h.Table == HotTierMigrations.BronzeTable(Exchange.Binance)).Sum(h => h.Duplicates).Should().Be(20);
        foreach (var interval in CandleInterval.All)
        {
            report.Where(h => h.Table == interval.Table).Sum(h => h.Duplicates).Should().Be(20, $"{interval.Table} counted the redelivered trades");
        }

        (await hotTier.CandlesAsync(CandleInterval.All[0])).Should().NotEqual(ExpectedCandles.For(CandleInterval.All[0], trades));

        var written = await new CandleRepair(HotTier.Gateway, hotTier.Settings, NullLogger<CandleRepair>.Instance).RepairAsync(From, To);

        foreach (var interval in CandleInterval.All)
        {
            (await hotTier.CandlesAsync(interval)).Should().Equal(ExpectedCandles.For(interval, trades), $"candles {interval.Name} after the repair");
        }

        written.Should().Be(CandleInterval.All.Sum(i => ExpectedCandles.For(i, trades).Count));
        (await new DuplicateReport(HotTier.Gateway, hotTier.Settings).FindAsync(From, To))
            .Where(h => h.Table.StartsWith("ohlcv_", StringComparison.Ordinal)).Should().BeEmpty();
    }

    [Test]
    public async Task A_rebuild_waits_while_a_reader_holds_rebuilds_off_so_the_reader_never_sees_its_deleted_windows()
    {
        await using var hotTier = HotTier.Create();
        await hotTier.Schema.ApplyAsync();
        var trades = FixtureTrades.All();
        await InsertIntoBronzeAsync(hotTier, trades);
        await InsertIntoBronzeAsync(hotTier, trades.Where(t => t.Exchange == Exchange.Binance).Take(20).ToList());
        var inflated = await hotTier.AllCandlesAsync();
        var repair = new CandleRepair(HotTier.Gateway, hotTier.Settings, NullLogger<CandleRepair>.Instance);

        var held = await repair.HoldRebuildsAsync();
        var rebuild = repair.RepairAsync(From, To);
        await Task.Delay(TimeSpan.FromSeconds(2));

        rebuild.IsCompleted.Should().BeFalse("the reader still holds rebuilds off");
        (await hotTier.AllCandlesAsync()).Should().Equal(inflated, "no window was deleted while the reader holds rebuilds off");
        await held.DisposeAsync();
        await rebuild;
        (await hotTier.CandlesAsync(CandleInterval.All[0])).Should().Equal(ExpectedCandles.For(CandleInterval.All[0], trades));
    }

    [Test]
    public async Task A_repair_outside_the_damaged_range_leaves_other_candles_alone()
    {
        await using var hotTier = HotTier.Create();
        await hotTier.Schema.ApplyAsync();
        var trades = FixtureTrades.All();
        await InsertIntoBronzeAsync(hotTier, trades);
        var before = await hotTier.AllCandlesAsync();

        await new CandleRepair(HotTier.Gateway, hotTier.Settings, NullLogger<CandleRepair>.Instance)
            .RepairAsync(new DateTimeOffset(2026, 2, 17, 14, 30, 0, TimeSpan.Zero), new DateTimeOffset(2026, 2, 17, 14, 31, 0, TimeSpan.Zero));

        (await hotTier.AllCandlesAsync()).Should().Equal(before);
    }

    [Test]
    public async Task Backfilled_trades_arriving_late_land_in_the_right_candles()
    {
        await using var hotTier = HotTier.Create();
        await hotTier.Schema.ApplyAsync();
        var trades = FixtureTrades.All();
        await InsertIntoBronzeAsync(hotTier, trades);
        var first = trades.Where(t => t.Symbol == "BTCUSDT").MinBy(t => t.ExchangeTimestampUs);
        var last = trades.Where(t => t.Symbol == "BTCUSDT").MaxBy(t => t.ExchangeTimestampUs);
        NormalizedTrade[] backfill =
        [
            first with { TradeId = "5912339999", ExchangeTimestampUs = first.ExchangeTimestampUs - 1, Price = 69000.5m, Side = TradeSide.Sell },
            last with { TradeId = "5912349999", ExchangeTimestampUs = last.ExchangeTimestampUs, Price = 71000.25m, Quantity = 2.5m },
        ];

        await InsertIntoBronzeAsync(hotTier, backfill);

        var all = trades.Concat(backfill).ToList();
        foreach (var interval in CandleInterval.All)
        {
            (await hotTier.CandlesAsync(interval)).Should().Equal(ExpectedCandles.For(interval, all), $"candles {interval.Name}");
        }
    }

    internal static async Task InsertIntoBronzeAsync(HotTier hotTier, IEnumerable<NormalizedTrade> trades)
    {
        foreach (var group in trades.GroupBy(t => t.Exchange))
        {
            var rows = new StringBuilder();
            foreach (var trade in group) { rows.Append(Encoding.UTF8.GetString(TradeMessageSerializer.Value(trade))).Append('\n'); }
            await HotTier.Gateway.InsertAsync(hotTier.Table(HotTierMigrations.BronzeTable(group.Key)), "JSONEachRow", Encoding.UTF8.GetBytes(rows.ToString()));
        }
    }
}
