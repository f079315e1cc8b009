using System.Globalization;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Offload;
using K2.Offload.Runs;
using K2.Offload.Tables;
using K2.Tests.Iceberg;

namespace K2.Tests.Offload;

[TestFixture]
public sealed class QuarantineTests
{
    // Both factors are valid 18-decimal values; their product has 26 decimals, more than the cold decimal(38,18) keeps.
    private const string TinyPrice = "0.0000000000001";
    private const string TinyQuantity = "0.0000000000001";

    [Test]
    public async Task A_trade_the_cold_table_cannot_hold_is_quarantined_with_its_reason_and_the_rest_of_silver_moves_on()
    {
        await using var rig = await OffloadRig.StartAsync();
        await rig.Trades.InsertAsync(200, HotTrades.Day, TimeSpan.FromSeconds(5));
        await rig.Trades.InsertLateAsync(Exchange.Kraken, "BTC-USDT", HotTrades.Day.AddMinutes(3).AddSeconds(30), TinyPrice, TinyQuantity);
        await rig.Trades.InsertAsync(100, HotTrades.Day.AddMinutes(20), TimeSpan.FromSeconds(5));
        var counted = OffloadMetrics.Quarantined.WithLabels(ColdTables.Silver.Name).Value;

        var results = await rig.NewRunner().RunAsync([ColdTables.Silver]);

        var silver = results.Single();
        silver.Outcome.Should().Be(OffloadOutcome.Committed);
        silver.Quarantined.Should().Be(1);
        silver.Rows.Should().Be(3 * 300, "every other trade reached cold silver");
        OffloadMetrics.Quarantined.WithLabels(ColdTables.Silver.Name).Value.Should().Be(counted + 1);
        var quarantined = Quarantined(rig, ColdTables.Silver);
        quarantined.Should().ContainSingle().Which.Should().Match("kraken|BTC-USDT|*\tquote_volume 0.00000000000000000000000001 does not fit the cold decimal(38,18) exactly\t*\"price\":0.0000000000001*");

        var again = (await rig.NewRunner().RunAsync([ColdTables.Silver])).Single();
        again.Outcome.Should().Be(OffloadOutcome.UpToDate, "the watermark moved past the quarantined trade");
        (await ColdSilverCountAsync(rig)).Should().Be(HotSilverCount(rig) - 1);
        Quarantined(rig, ColdTables.Silver).Should().HaveCount(1);
    }

    [Test]
    public async Task A_candle_the_cold_table_cannot_hold_is_quarantined_and_the_other_windows_are_offloaded()
    {
        await using var rig = await OffloadRig.StartAsync();
        await rig.Trades.InsertAsync(300, HotTrades.Day, TimeSpan.FromSeconds(5));
        var window = HotTrades.Day.AddMinutes(3);
        await rig.Trades.InsertLateAsync(Exchange.Kraken, "BTC-USDT", window.AddSeconds(30), TinyPrice, TinyQuantity);
        var oneMinute = ColdTables.Gold[0];

        var result = (await rig.NewRunner().RunAsync([oneMinute])).Single();

        result.Outcome.Should().Be(OffloadOutcome.Committed);
        result.Quarantined.Should().Be(1);
        Quarantined(rig, oneMinute).Should().ContainSingle().Which.Should().Match(
            $"kraken|BTC-USDT|{window:yyyy-MM-dd HH:mm:ss}\tquote_volume * does not fit the cold decimal(38,18) exactly\t*");
        var cold = await rig.ColdAsync(oneMinute);
        var hotCandles = long.Parse(TestWarehouses.Query($"SELECT count() FROM {rig.Hot.Table(oneMinute.HotTable)}"), CultureInfo.InvariantCulture);
        long.Parse(TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(cold)}"), CultureInfo.InvariantCulture).Should().Be(hotCandles - 1);
        TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(cold)} WHERE exchange = 'kraken' AND symbol = 'BTC-USDT' " +
            $"AND window_start = toDateTime64('{window:yyyy-MM-dd HH:mm:ss}', 6, 'UTC')").Should().Be("0");
        (await rig.NewRunner().RunAsync([oneMinute])).Single().Outcome.Should().Be(OffloadOutcome.UpToDate, "the horizon moved past the quarantined window");
    }

    private static IReadOnlyList<string> Quarantined(OffloadRig rig, ColdTable table) =>
        TestWarehouses.Query($"SELECT row_key, reason, hot_row FROM {rig.Hot.Table(HotTierMigrations.QuarantineTable)} FINAL WHERE cold_table = '{table.Name}'")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static long HotSilverCount(OffloadRig rig) =>
        long.Parse(TestWarehouses.Query($"SELECT uniqExact(exchange, symbol, trade_id) FROM {rig.Hot.Table(HotTierMigrations.SilverTable)}"), CultureInfo.InvariantCulture);

    private static async Task<long> ColdSilverCountAsync(OffloadRig rig) =>
        long.Parse(TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(await rig.ColdAsync(ColdTables.Silver))}"), CultureInfo.InvariantCulture);
}
