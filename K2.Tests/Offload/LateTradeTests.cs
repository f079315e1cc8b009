using K2.Core.Trades;
using K2.Iceberg;
using K2.Iceberg.Tables;
using K2.Maintenance;
using K2.Maintenance.Compaction;
using K2.Offload.Runs;
using K2.Offload.Tables;
using K2.Tests.ClickHouse;
using K2.Tests.Iceberg;
using K2.Tests.Maintenance;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Tests.Offload;

[TestFixture]
public sealed class LateTradeTests
{
    [Test]
    public async Task A_late_trade_reaches_cold_silver_and_its_candles_are_replaced_in_cold_gold()
    {
        await using var rig = await OffloadRig.StartAsync();
        await rig.Trades.InsertAsync(300, HotTrades.Day, TimeSpan.FromSeconds(5));
        (await rig.NewRunner().RunAsync()).Should().OnlyContain(r => r.Outcome == OffloadOutcome.Committed);
        var window = HotTrades.Day.AddMinutes(3);
        var oneMinute = ColdTables.Gold[0];
        var before = await CandleAsync(rig, oneMinute, window);

        await rig.Trades.InsertLateAsync(Exchange.Kraken, "BTC-USDT", window.AddSeconds(30), "999999.5", "2.5");
        var results = await rig.NewRunner().RunAsync();

        results.Should().NotContain(r => r.Outcome == OffloadOutcome.Failed);
        results.Single(r => r.Table == ColdTables.Silver.Name).Rows.Should().Be(1);
        var after = await CandleAsync(rig, oneMinute, window);
        after.Should().NotBe(before);
        after.Should().Contain("999999.5");
        await rig.AssertColdEqualsHotAsync();
    }

    [Test]
    public async Task A_late_trade_replaces_its_candle_in_a_month_that_maintenance_rewrote_into_one_partition()
    {
        await using var rig = await OffloadRig.StartAsync();
        var sameMonth = HotTrades.Day.Day > 1 ? HotTrades.Day.AddDays(-1) : HotTrades.Day.AddDays(1);
        await rig.Trades.InsertAsync(100, sameMonth, TimeSpan.FromSeconds(5));
        await rig.Trades.InsertAsync(300, HotTrades.Day, TimeSpan.FromSeconds(5));
        (await rig.NewRunner().RunAsync()).Should().OnlyContain(r => r.Outcome == OffloadOutcome.Committed);
        var oneMinute = ColdTables.Gold[0];
        var monthDue = new DateTimeOffset(new DateTime(HotTrades.Day.Year, HotTrades.Day.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1).AddDays(7));
        var compactor = new TableCompactor(rig.Warehouse, HotTier.Gateway, new ColdSourceSql(new S3StorageOptions()), new MaintenanceOptions(), new ManualTime(monthDue), NullLogger.Instance);
        (await compactor.CompactAsync(await rig.ColdAsync(oneMinute), CancellationToken.None)).Groups.Should().Be(3, "each exchange's two days become one month file");
        (await (await rig.ColdAsync(oneMinute)).ListDataFilesAsync()).Should().OnlyContain(f => f.SpecId == 1);
        var window = HotTrades.Day.AddMinutes(3);
        var before = await CandleAsync(rig, oneMinute, window);

        await rig.Trades.InsertLateAsync(Exchange.Kraken, "BTC-USDT", window.AddSeconds(30), "999999.5", "2.5");
        var results = await rig.NewRunner().RunAsync();

        results.Should().NotContain(r => r.Outcome == OffloadOutcome.Failed);
        var after = await CandleAsync(rig, oneMinute, window);
        after.Should().NotBe(before);
        after.Should().Contain("999999.5");
        await rig.AssertColdEqualsHotAsync([oneMinute, ColdTables.Silver]);
    }

    [Test]
    public async Task A_run_writes_one_candle_file_per_partition()
    {
        await using var rig = await OffloadRig.StartAsync();
        await rig.Trades.InsertAsync(300, HotTrades.Day, TimeSpan.FromSeconds(5));

        (await rig.NewRunner().RunAsync()).Should().OnlyContain(r => r.Outcome == OffloadOutcome.Committed);

        foreach (var table in ColdTables.Gold)
        {
            var files = await (await rig.ColdAsync(table)).ListDataFilesAsync();
            files.Should().NotBeEmpty(table.Name);
            files.GroupBy(f => f.Partition).Should().OnlyContain(g => g.Count() == 1, $"{table.Name} gets one file per partition from one run");
        }

        await rig.AssertColdEqualsHotAsync(ColdTables.Gold);
    }

    private static async Task<string> CandleAsync(OffloadRig rig, ColdTable table, DateTime window)
    {
        var cold = await rig.ColdAsync(table);
        return TestWarehouses.Query($"SELECT high, trade_count, volume FROM {TestWarehouses.ChDbSource(cold)} " +
            $"WHERE exchange = 'kraken' AND symbol = 'BTC-USDT' AND window_start = toDateTime64('{window:yyyy-MM-dd HH:mm:ss}', 6, 'UTC')");
    }
}
