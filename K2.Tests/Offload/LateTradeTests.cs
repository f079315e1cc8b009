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
    public async Task A_late_trade_rewrites_only_the_candle_files_whose_windows_take_in_its_window()
    {
        await using var rig = await OffloadRig.StartAsync();
        var sameMonth = HotTrades.Day.Day > 1 ? HotTrades.Day.AddDays(-1) : HotTrades.Day.AddDays(1);
        await rig.Trades.InsertAsync(100, sameMonth, TimeSpan.FromSeconds(5));
        (await rig.NewRunner().RunAsync()).Should().OnlyContain(r => r.Outcome == OffloadOutcome.Committed);
        var oneMinute = ColdTables.Gold[0];
        var firstRun = (await (await rig.ColdAsync(oneMinute)).ListDataFilesAsync()).Select(f => f.Path).ToList();
        await rig.Trades.InsertAsync(300, HotTrades.Day, TimeSpan.FromSeconds(5));
        (await rig.NewRunner().RunAsync()).Should().NotContain(r => r.Outcome == OffloadOutcome.Failed);
        var files = await (await rig.ColdAsync(oneMinute)).ListDataFilesAsync();
        files.GroupBy(f => f.Partition).Should().OnlyContain(g => g.Count() == 2, "each exchange's month partition holds a file of each day");
        var window = HotTrades.Day.AddMinutes(3);
        var before = await CandleAsync(rig, oneMinute, window);

        await rig.Trades.InsertLateAsync(Exchange.Kraken, "BTC-USDT", window.AddSeconds(30), "999999.5", "2.5");
        var results = await rig.NewRunner().RunAsync();

        results.Should().NotContain(r => r.Outcome == OffloadOutcome.Failed);
        var after = await CandleAsync(rig, oneMinute, window);
        after.Should().NotBe(before);
        after.Should().Contain("999999.5");
        (await (await rig.ColdAsync(oneMinute)).ListDataFilesAsync()).Select(f => f.Path).Should().Contain(firstRun, "the other day's files do not hold the revised window");
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
