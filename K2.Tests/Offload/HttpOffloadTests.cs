using K2.Core.Trades;
using K2.Offload.Runs;
using K2.Offload.Tables;
using K2.Tests.ClickHouse;
using K2.Tests.Iceberg;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Tests.Offload;

/// <summary>The trade offload through a ClickHouse server's HTTP interface, where the engine cannot write files on this machine.</summary>
[TestFixture]
public sealed class HttpOffloadTests
{
    [Test]
    public async Task A_batch_spanning_several_cold_partitions_is_sorted_and_deduplicated_by_one_query_and_lands_equal_to_hot()
    {
        await using var rig = await OffloadRig.StartAsync();
        await rig.Trades.InsertAsync(400, HotTrades.Day.AddHours(18), TimeSpan.FromMinutes(2));
        await rig.Trades.RedeliverAsync(50);
        await using var server = await RecordingClickHouseServer.StartAsync();
        var tables = ColdTables.Bronze.Append(ColdTables.Silver).ToList();

        var results = await Runner(rig, server).RunAsync(tables);

        results.Should().OnlyContain(r => r.Outcome == OffloadOutcome.Committed);
        foreach (var table in tables)
        {
            var files = await (await rig.ColdAsync(table)).ListDataFilesAsync();
            files.Select(f => f.Partition).Distinct().Should().HaveCountGreaterThan(2, $"{table.Name}'s batch spans two days and several symbol buckets");
        }

        server.Statements.Count(s => s.Contains("LIMIT 1 BY", StringComparison.Ordinal)).Should().Be(tables.Count, "each table's one batch is sorted and deduplicated once");
        await rig.AssertColdEqualsHotAsync(tables);
        ScratchTables(rig).Should().BeEmpty();
    }

    [Test]
    public async Task A_scratch_table_left_by_a_crashed_export_is_dropped_by_the_next_one()
    {
        await using var rig = await OffloadRig.StartAsync();
        await rig.Trades.InsertAsync(200, HotTrades.Day.AddHours(20), TimeSpan.FromMinutes(3));
        await using var server = await RecordingClickHouseServer.StartAsync();
        await HotTier.Gateway.ExecuteAsync($"CREATE TABLE {rig.Hot.Table("k2_export_0123456789abcdef")} (x UInt8) ENGINE = MergeTree ORDER BY x");

        (await Runner(rig, server).RunAsync([ColdTables.Silver])).Should().OnlyContain(r => r.Outcome == OffloadOutcome.Committed);

        ScratchTables(rig).Should().BeEmpty();
        await rig.AssertColdEqualsHotAsync([ColdTables.Silver]);
    }

    [Test]
    public async Task Candles_are_written_through_a_server_that_tells_their_partitions_and_a_late_trade_s_windows_are_rewritten()
    {
        await using var rig = await OffloadRig.StartAsync();
        await rig.Trades.InsertAsync(300, HotTrades.Day.AddHours(23).AddMinutes(50), TimeSpan.FromSeconds(4));
        await using var server = await RecordingClickHouseServer.StartAsync();
        (await Runner(rig, server).RunAsync(ColdTables.Gold)).Should().OnlyContain(r => r.Outcome == OffloadOutcome.Committed);
        var oneMinute = await rig.ColdAsync(ColdTables.Gold[0]);
        var months = HotTrades.Day.Month == HotTrades.Day.AddDays(1).Month ? 1 : 2;
        (await oneMinute.ListDataFilesAsync()).Select(f => f.Partition).Distinct().Should().HaveCount(months * 3, "the trades span three exchanges (and two months at a month's end)");

        await rig.Trades.InsertLateAsync(Exchange.Kraken, "BTC-USDT", HotTrades.Day.AddHours(23).AddMinutes(55).AddSeconds(30), "999999.5", "2.5");
        var results = await Runner(rig, server).RunAsync(ColdTables.Gold);

        results.Should().OnlyContain(r => r.Outcome == OffloadOutcome.Committed);
        server.Statements.Should().Contain(s => s.Contains("NOT IN", StringComparison.Ordinal), "the kept rows of the rewritten files are read by the server");
        await rig.AssertColdEqualsHotAsync(ColdTables.Gold);
        ScratchTables(rig).Should().BeEmpty();
    }

    private static OffloadRunner Runner(OffloadRig rig, RecordingClickHouseServer server) =>
        OffloadRunner.Create(server.Gateway(rig.Hot.Settings.Database), rig.Hot.Settings.Database, TestWarehouses.Reopen(rig.Warehouse), OffloadRig.Options(),
            TimeProvider.System, NullLogger.Instance);

    private static string ScratchTables(OffloadRig rig) =>
        TestWarehouses.Query($"SELECT name FROM system.tables WHERE database = '{rig.Hot.Settings.Database}' AND startsWith(name, 'k2_export_')");
}
