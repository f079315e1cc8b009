using K2.Iceberg;
using K2.Iceberg.Tables;
using K2.Maintenance;
using K2.Maintenance.Audit;
using K2.Offload.Tables;
using K2.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Tests.Maintenance;

/// <summary>A whole run: steps in order per table, one broken table does not stop the others, the run fails on the audit; <c>k2 audit</c> prints it.</summary>
[TestFixture]
public sealed class MaintenanceRunTests
{
    [Test]
    public async Task A_broken_table_fails_its_steps_and_the_run_while_the_others_are_compacted_and_audited_ok()
    {
        await using var pipeline = await HotColdPipeline.StartAsync();
        var hour = HotColdPipeline.CurrentHour.AddHours(-2);
        await pipeline.InsertTradesAsync("BTCUSDT", hour, 300, firstId: 0);
        await pipeline.InsertTradesAsync("ETHUSDT", hour, 60, firstId: 1000);
        var bronze = await pipeline.OffloadAsync(ColdTableFixture.BinanceBronze);
        var silver = await pipeline.OffloadAsync(ColdTables.Silver, commits: 6);
        await pipeline.OffloadAsync(ColdTableFixture.Gold1h);
        (await silver.ListDataFilesAsync()).Count.Should().BeGreaterThanOrEqualTo(6);
        // Break bronze: its current manifest list is lost (expiry has nothing to expire, so only it gets through).
        await pipeline.Warehouse.Store.DeleteAsync(bronze.Metadata.CurrentSnapshot!.ManifestList, CancellationToken.None);
        var state = new MaintenanceState();
        var options = new MaintenanceOptions();
        var runner = new MaintenanceRunner(pipeline.Warehouse, HotColdPipeline.Gateway, new ColdSourceSql(new S3StorageOptions()), AuditTests.NewAuditor(pipeline), new AuditLog(pipeline.Warehouse.Catalog), options, state,
            TimeProvider.System, NullLogger<MaintenanceRunner>.Instance);

        var run = await runner.RunAsync([ColdTableFixture.BinanceBronze, ColdTables.Silver, ColdTableFixture.Gold1h], CancellationToken.None);

        run.Tables.Select(t => (t.Table, string.Join(",", t.Failures))).Should().Equal(
            (ColdTableFixture.BinanceBronze.Name, "compaction,manifests,orphans"), (ColdTables.Silver.Name, ""), (ColdTableFixture.Gold1h.Name, ""));
        var silverRun = run.Tables[1];
        silverRun.Compaction!.FilesAfter.Should().BeLessThan(silverRun.Compaction.FilesBefore);
        silverRun.Compaction.Groups.Should().BeGreaterThan(0);
        silverRun.Manifests!.Rewritten.Should().BeTrue("the compaction's replace left a manifest per offload commit");
        await silver.RefreshAsync();
        (await silver.ReadManifestListAsync()).Should().ContainSingle("the rewrite clustered every live entry into one manifest")
            .Which.AddedFilesCount.Should().Be(0);
        run.Audit!.Rows.Where(r => r.Table != ColdTableFixture.BinanceBronze.Name).Should().OnlyContain(r => r.Status == AuditStatus.Ok);
        run.Audit.Rows.Should().Contain(r => r.Table == ColdTableFixture.BinanceBronze.Name && r.Status == AuditStatus.Error);
        run.Failed.Should().BeTrue();
        run.Outcome.Should().Be("failed");
        new MaintenanceStatus(state, options).Snapshot().Rows.Select(r => r[1]).Should().Equal("failed", "failed");

        // The real binary prints the stored audit from the same catalog and exits non-zero for a failed audit.
        var catalogPath = Path.Combine(Path.GetDirectoryName(K2.Iceberg.Storage.LocalObjectStore.ToPath(pipeline.Warehouse.Store.WarehouseUri))!, "catalog.db");
        using var k2 = K2Process.Run(["audit"], new Dictionary<string, string>
        {
            ["K2__Iceberg__SqlitePath"] = catalogPath,
            ["K2__Iceberg__CatalogName"] = "k2",
        });
        k2.ExitCode.Should().Be(1, k2.StandardError);
        k2.StandardOutput.Should().MatchRegex(@"silver_trades\s+\*\s+\*\s+\*\s+360\s+360\s+0\s+ok")
            .And.MatchRegex(@"bronze_trades_binance\s.*\serror\s+audit failed")
            .And.Contain($"ok={run.Audit.Count(AuditStatus.Ok)} warning=0 missing_data=0 error={run.Audit.Count(AuditStatus.Error)}");
    }
}
