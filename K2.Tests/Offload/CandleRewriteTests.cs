using K2.ClickHouse.Operations;
using K2.Maintenance.Audit;
using K2.Offload.Runs;
using K2.Offload.Tables;
using K2.Tests.ClickHouse;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Tests.Offload;

[TestFixture]
public sealed class CandleRewriteTests
{
    [Test]
    public async Task A_candle_repair_reaches_cold_gold_only_when_its_window_is_rewritten_on_request()
    {
        await using var rig = await OffloadRig.StartAsync();
        await rig.Trades.InsertAsync(300, HotTrades.Day, TimeSpan.FromSeconds(5));
        await rig.Trades.RedeliverAsync(20);

        // A clock that stays put: a minute starting between two runs would move the candle horizon and make the second
        // run commit an empty snapshot instead of finding nothing to do.
        var runner = rig.NewRunner(time: new K2.Tests.Maintenance.ManualTime(DateTimeOffset.UtcNow));
        (await runner.RunAsync()).Should().OnlyContain(r => r.Outcome == OffloadOutcome.Committed);
        var gold = ColdTables.Gold;
        var inflated = await Task.WhenAll(gold.Select(t => rig.ColdFingerprintAsync(t)));

        // The repair recomputes the hot candles from deduplicated silver: no silver row is new, so a
        // scheduled run sees nothing to do and the cold candles keep the redelivered trades.
        await new CandleRepair(HotTier.Gateway, rig.Hot.Settings, NullLogger<CandleRepair>.Instance)
            .RepairAsync(HotTrades.Day, HotTrades.Day.AddDays(1));
        (await runner.RunAsync(gold)).Should().OnlyContain(r => r.Outcome == OffloadOutcome.UpToDate);
        gold.Select(t => rig.HotFingerprint(t)).Should().NotEqual(inflated, "the repair changed the hot candles");
        (await Task.WhenAll(gold.Select(t => rig.ColdFingerprintAsync(t)))).Should().Equal(inflated);

        var requests = new OffloadReoffloadRequests(runner);
        foreach (var table in gold)
        {
            await requests.RequestAsync(table, HotTrades.Day, HotTrades.Day.AddDays(1), CancellationToken.None);
        }

        await rig.AssertColdEqualsHotAsync(gold);
        foreach (var table in gold) { (await rig.DuplicateKeysAsync(table)).Should().Be(0, table.Name); }
    }
}
