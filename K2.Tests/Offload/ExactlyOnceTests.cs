using K2.Iceberg;
using K2.Iceberg.Catalog;
using K2.Offload.Runs;
using K2.Offload.Tables;
using K2.Offload.Watermarks;
using K2.Tests.Iceberg;
using K2.Tests.Support;

namespace K2.Tests.Offload;

/// <summary>Every hot row lands in its cold table exactly once, while rows keep arriving and runs fail or overlap.</summary>
[TestFixture]
public sealed class ExactlyOnceTests
{
    [Test]
    public async Task Repeated_runs_while_trades_and_redeliveries_arrive_leave_every_cold_table_equal_to_its_hot_table()
    {
        await using var rig = await OffloadRig.StartAsync();
        var runner = rig.NewRunner();
        var runs = 0;
        var feeding = Task.Run(async () =>
        {
            for (var batch = 0; batch < 12; batch++)
            {
                await rig.Trades.InsertAsync(150, HotTrades.Day.AddMinutes(batch * 40), TimeSpan.FromSeconds(7));
                if (batch % 3 == 2) { await rig.Trades.RedeliverAsync(60); }
            }
        });
        while (!feeding.IsCompleted || runs < 2)
        {
            (await runner.RunAsync()).Should().NotContain(r => r.Outcome == OffloadOutcome.Failed);
            runs++;
        }

        await feeding;
        await runner.RunAsync();

        await rig.AssertColdEqualsHotAsync();
        runs.Should().BeGreaterThan(1);
    }

    [Test]
    public async Task A_trade_published_again_at_a_new_offset_after_it_was_offloaded_stays_one_cold_silver_row()
    {
        await using var rig = await OffloadRig.StartAsync();
        await rig.Trades.InsertAsync(200, HotTrades.Day, TimeSpan.FromSeconds(11));
        var runner = rig.NewRunner();
        (await runner.RunAsync()).Should().OnlyContain(r => r.Outcome == OffloadOutcome.Committed);

        await rig.Trades.RepublishAsync(30);
        var results = await runner.RunAsync(ColdTables.Bronze.Append(ColdTables.Silver).ToList());

        results.Should().OnlyContain(r => r.Outcome == OffloadOutcome.Committed, "the new offsets are offloaded and the watermark moves past them");
        results.Where(r => r.Table != ColdTables.Silver.Name).Should().OnlyContain(r => r.Rows == 30, "bronze keeps every Kafka message");
        results.Single(r => r.Table == ColdTables.Silver.Name).Rows.Should().Be(0, "silver already holds those trades");
        (await rig.DuplicateKeysAsync(ColdTables.Silver)).Should().Be(0);
        TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(await rig.ColdAsync(ColdTables.Silver))}").Should().Be("600");
        await rig.AssertColdEqualsHotAsync(ColdTables.Bronze);
    }

    [Test]
    public async Task A_backlog_read_in_many_batches_with_redeliveries_and_republished_trades_lands_once()
    {
        await using var rig = await OffloadRig.StartAsync();
        await rig.Trades.InsertAsync(1500, HotTrades.Day, TimeSpan.FromSeconds(3));
        await rig.Trades.RedeliverAsync(400);
        await rig.Trades.RepublishAsync(700);
        var options = OffloadRig.Options();
        options.BatchRows = 1000;

        var results = await rig.NewRunner(options: options).RunAsync(ColdTables.Bronze.Append(ColdTables.Silver).ToList());

        results.Should().OnlyContain(r => r.Outcome == OffloadOutcome.Committed);
        results.Single(r => r.Table == ColdTables.Silver.Name).Rows.Should().Be(4500, "each trade once, though its copies fell in different batches");
        results.Where(r => r.Table != ColdTables.Silver.Name).Should().OnlyContain(r => r.Rows == 2200 && r.Files > 3, "bronze was read in batches");
        (await rig.DuplicateKeysAsync(ColdTables.Silver)).Should().Be(0);
        await rig.AssertColdEqualsHotAsync(ColdTables.Bronze);
    }

    [Test]
    public async Task A_run_killed_between_upload_and_commit_commits_nothing_and_the_next_run_offloads_once()
    {
        await using var rig = await OffloadRig.StartAsync();
        await rig.Trades.InsertAsync(200, HotTrades.Day, TimeSpan.FromSeconds(11));
        var faults = new OffloadFaults { BeforeCommit = _ => throw new IOException("killed before the commit") };

        var runner = rig.NewRunner(faults);
        (await runner.RunAsync()).Should().OnlyContain(r => r.Outcome == OffloadOutcome.Failed);
        (await rig.ColdAsync(ColdTables.Silver)).Metadata.CurrentSnapshot.Should().BeNull("nothing was committed");
        runner.Board.Snapshot().Rows.Should().HaveCount(10).And.OnlyContain(r => r[1] == "failed" && r[5] == "1" && r[6] == "never");

        await rig.Trades.RedeliverAsync(50);
        faults.BeforeCommit = null;
        (await runner.RunAsync()).Should().OnlyContain(r => r.Outcome == OffloadOutcome.Committed, "failed tables are retried on the next run");
        await rig.AssertColdEqualsHotAsync();
        var status = runner.Board.Snapshot();
        status.Title.Should().Be("Offload");
        status.Rows.Should().OnlyContain(r => r[1] == "committed" && r[5] == "0" && r[4].EndsWith(" s", StringComparison.Ordinal), "k2 status shows each table's lag");
    }

    [Test]
    public async Task A_run_killed_after_the_commit_is_not_offloaded_again()
    {
        await using var rig = await OffloadRig.StartAsync();
        await rig.Trades.InsertAsync(200, HotTrades.Day, TimeSpan.FromSeconds(11));
        var faults = new OffloadFaults { AfterCommit = _ => throw new IOException("killed after the commit") };

        (await rig.NewRunner(faults).RunAsync()).Should().OnlyContain(r => r.Outcome == OffloadOutcome.Failed);
        await rig.Trades.RedeliverAsync(50);
        var next = await rig.NewRunner().RunAsync();

        next.Where(r => !r.Table.StartsWith("gold", StringComparison.Ordinal)).Should().OnlyContain(r => r.Outcome == OffloadOutcome.UpToDate,
            "the killed run's commit carried its watermark (candles do change: the hot views count redelivered trades)");
        await rig.AssertColdEqualsHotAsync();
    }

    [TestCase(CatalogDatabase.Sqlite)]
    [TestCase(CatalogDatabase.Postgres)]
    public async Task Two_offloads_at_once_offload_each_row_once(CatalogDatabase database)
    {
        var catalog = database == CatalogDatabase.Postgres ? IcebergModule.PostgresCatalog("k2", PostgresServer.NewDatabase("offload")) : null;
        await using var rig = await OffloadRig.StartAsync(catalog);
        var (first, second) = (rig.NewRunner(), rig.NewRunner());
        for (var round = 0; round < 3; round++)
        {
            await rig.Trades.InsertAsync(120, HotTrades.Day.AddHours(round * 5), TimeSpan.FromSeconds(13));
            await rig.Trades.RedeliverAsync(30);
            var both = await Task.WhenAll(first.RunAsync(), second.RunAsync());
            both.SelectMany(r => r).Should().NotContain(r => r.Outcome == OffloadOutcome.Failed);
        }

        await rig.AssertColdEqualsHotAsync();
    }

    [Test]
    public async Task A_watermark_row_behind_the_committed_snapshot_is_repaired_from_the_snapshot()
    {
        await using var rig = await OffloadRig.StartAsync();
        await rig.Trades.InsertAsync(100, HotTrades.Day, TimeSpan.FromSeconds(9));
        await rig.NewRunner().RunAsync([ColdTables.Silver]);
        var store = new WatermarkStore(rig.Warehouse.Catalog);
        var committed = await store.ReadWatermarkAsync(ColdTables.Silver.Name, default);
        await store.RepairAsync(ColdTables.Silver.Name, new Watermark(committed.Positions.ToDictionary(p => p.Key, _ => -1L)), DateTimeOffset.UtcNow, default);

        var result = (await rig.NewRunner().RunAsync([ColdTables.Silver])).Single();

        result.Outcome.Should().Be(OffloadOutcome.UpToDate, "the data is already in the snapshot");
        (await store.ReadWatermarkAsync(ColdTables.Silver.Name, default)).SameAs(committed).Should().BeTrue();
        Watermark.Committed((await rig.ColdAsync(ColdTables.Silver)).Metadata).SameAs(committed).Should().BeTrue("the summary carries the same watermark");
        await rig.AssertColdEqualsHotAsync([ColdTables.Silver]);
    }
}
