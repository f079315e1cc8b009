using K2.Iceberg;
using K2.Iceberg.Tables;
using K2.Maintenance.Audit;
using K2.Offload.Tables;
using K2.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Tests.Maintenance;

/// <summary>The hot-vs-cold audit on a real hot tier and cold tables read by chDB's Iceberg reader; results in maintenance_audit_log.</summary>
[TestFixture]
public sealed class AuditTests
{
    private static readonly ColdTable Bronze = ColdTableFixture.BinanceBronze;
    private static readonly ColdTable Gold1h = ColdTableFixture.Gold1h;
    private static readonly ColdTable[] Audited = [Bronze, ColdTables.Silver, Gold1h];
    private static readonly DateTimeOffset Hour1 = HotColdPipeline.CurrentHour.AddHours(-3);
    private static readonly DateTimeOffset Hour2 = HotColdPipeline.CurrentHour.AddHours(-2);

    [Test]
    public async Task A_consistent_pair_is_ok_everywhere_with_the_figures_of_both_sides_in_the_sqlite_log()
    {
        await using var pipeline = await ConsistentPipelineAsync();
        var (auditor, log, _) = Auditor(pipeline);

        var report = await auditor.AuditAsync(Audited, 24, CancellationToken.None);
        await log.WriteAsync(report, 24, CancellationToken.None);

        report.Rows.Should().OnlyContain(r => r.Status == AuditStatus.Ok, string.Join("\n", report.Rows));
        report.Failed.Should().BeFalse();
        var silverHours = report.Rows.Where(r => r.Table == "silver_trades" && r.Hour is not null).ToList();
        silverHours.Select(r => (r.Symbol, r.Hour, r.HotRows, r.ColdRows)).Should().BeEquivalentTo(new[]
        {
            ("BTCUSDT", (DateTimeOffset?)Hour1, 200L, 200L), ("BTCUSDT", Hour2, 100L, 100L), ("ETHUSDT", Hour1, 50L, 50L),
        });
        silverHours.Should().OnlyContain(r => r.HotFigures == r.ColdFigures && r.HotFigures!.Split('|').Length == 3);
        report.Rows.Single(r => r.Table == Gold1h.Name && r.Hour is null).HotRows.Should().Be(3);
        var stored = await log.LatestAsync(CancellationToken.None);
        stored!.Rows.Should().BeEquivalentTo(report.Rows);
        stored.WindowEnd.Should().Be(report.WindowEnd);
    }

    [Test]
    public async Task Rows_removed_from_the_cold_side_are_missing_data_and_from_the_hot_side_a_warning_in_the_postgres_log()
    {
        var catalog = IcebergModule.PostgresCatalog("k2", PostgresServer.NewDatabase("maint"));
        var local = await ColdTableFixture.WarehouseAsync();
        var warehouse = new K2.Iceberg.Tables.IcebergWarehouse(catalog, local.Store, local.WriterSettings, TimeProvider.System);
        await warehouse.StartAsync();
        await using var pipeline = await ConsistentPipelineAsync(warehouse);
        var silver = await warehouse.LoadTableAsync(ColdTables.Silver.Identifier);
        var tradeId = ColdTables.Silver.Schema.IndexOf("trade_id");
        await HotColdPipeline.RemoveColdRowsAsync(silver, row => (string)row[1]! == "ETHUSDT" && long.Parse((string)row[tradeId]!) % 10 == 0);
        await HotColdPipeline.Gateway.ExecuteAsync(
            $"ALTER TABLE {pipeline.Hot.Table("bronze_trades_binance")} DELETE WHERE symbol = 'BTCUSDT' AND kafka_offset >= 1000 AND kafka_offset < 1020 SETTINGS mutations_sync = 2");
        var (auditor, log, _) = Auditor(pipeline);

        var report = await auditor.AuditAsync(Audited, 24, CancellationToken.None);
        await log.WriteAsync(report, 24, CancellationToken.None);

        var eth = report.Rows.Single(r => r.Table == "silver_trades" && r.Symbol == "ETHUSDT");
        eth.Should().BeEquivalentTo(new { HotRows = 50L, ColdRows = 45L, DeltaPercent = -10m, Status = AuditStatus.MissingData });
        var bronzeBtc = report.Rows.Single(r => r.Table == Bronze.Name && r.Symbol == "BTCUSDT" && r.Hour == Hour2);
        bronzeBtc.Should().BeEquivalentTo(new { HotRows = 80L, ColdRows = 100L, DeltaPercent = 25m, Status = AuditStatus.Warning });
        var ethCandles = report.Rows.Single(r => r.Table == Gold1h.Name && r.Symbol == "ETHUSDT");
        ethCandles.Status.Should().Be(AuditStatus.Error, "the cold candles no longer match the cold silver rows they summarise");
        report.Rows.Where(r => r.Hour is not null && r != eth && r != bronzeBtc && r != ethCandles).Should().OnlyContain(r => r.Status == AuditStatus.Ok);
        report.Failed.Should().BeTrue();
        (await log.LatestAsync(CancellationToken.None))!.Rows.Should().BeEquivalentTo(report.Rows);
    }

    [Test]
    public async Task Revised_candles_are_a_warning_and_request_a_reoffload_of_their_window()
    {
        await using var pipeline = await ConsistentPipelineAsync();
        // A late trade in an offloaded hour: the hot candle changes, the number of candles does not.
        await pipeline.InsertTradesAsync("BTCUSDT", Hour2.AddMinutes(30), 1, firstId: 9000);
        var (auditor, _, requests) = Auditor(pipeline);

        var report = await auditor.AuditAsync([Gold1h], 24, CancellationToken.None);

        var revised = report.Rows.Single(r => r.Hour is not null && r.Status != AuditStatus.Ok);
        revised.Should().BeEquivalentTo(new { Symbol = "BTCUSDT", Hour = (DateTimeOffset?)Hour2, HotRows = 1L, ColdRows = 1L, Status = AuditStatus.Warning });
        revised.HotFigures.Should().NotBe(revised.ColdFigures);
        requests.Requests.Should().Equal((Gold1h.Name, Hour2, Hour2.AddHours(1)));
        report.Failed.Should().BeFalse();
    }

    [Test]
    public async Task Cold_candles_inflated_on_both_sides_by_a_redelivered_block_are_an_error_against_cold_silver()
    {
        await using var pipeline = await ConsistentPipelineAsync();
        // The Kafka engine delivers a block again: hot silver keeps one row per trade, the candle views count it twice.
        await pipeline.InsertTradesAsync("BTCUSDT", Hour2, 100, firstId: 1000);
        await pipeline.OffloadAsync(Gold1h);
        var (auditor, _, _) = Auditor(pipeline);

        var report = await auditor.AuditAsync([Gold1h], 24, CancellationToken.None);

        var inflated = report.Rows.Single(r => r.Hour is not null && r.Status != AuditStatus.Ok);
        inflated.Should().BeEquivalentTo(new { Symbol = "BTCUSDT", Hour = (DateTimeOffset?)Hour2, Status = AuditStatus.Error });
        inflated.HotFigures.Should().Be(inflated.ColdFigures, "hot and cold are inflated alike: only cold silver tells");
        inflated.Notes.Should().StartWith("cold candles differ from the candles of cold silver");
        report.Failed.Should().BeTrue();
    }

    [Test]
    public async Task Quarantined_rows_are_reported_with_their_table()
    {
        await using var pipeline = await ConsistentPipelineAsync();
        await HotColdPipeline.Gateway.ExecuteAsync($"INSERT INTO {pipeline.Hot.Table("offload_quarantine")} (cold_table, row_key, reason, hot_row) " +
            "VALUES ('silver_trades', 'binance|BTCUSDT|77', 'quote_volume 0.00000000000000000000000001 does not fit the cold decimal(38,18) exactly', '{}')");
        var (auditor, _, _) = Auditor(pipeline);

        var report = await auditor.AuditAsync(Audited, 24, CancellationToken.None);

        report.Rows.Where(r => r.HotSource == "offload_quarantine").Should().ContainSingle().Which.Should().BeEquivalentTo(
            new { Table = "silver_trades", HotRows = 1L, Status = AuditStatus.Warning });
        report.Rows.Single(r => r.Table == "silver_trades" && r.Hour is null && r.HotSource == "silver_trades").Status.Should().Be(AuditStatus.Warning);
    }

    private static async Task<HotColdPipeline> ConsistentPipelineAsync(K2.Iceberg.Tables.IcebergWarehouse? warehouse = null)
    {
        var pipeline = await HotColdPipeline.StartAsync(warehouse);
        await pipeline.InsertTradesAsync("BTCUSDT", Hour1, 200, firstId: 0);
        await pipeline.InsertTradesAsync("BTCUSDT", Hour2, 100, firstId: 1000);
        await pipeline.InsertTradesAsync("ETHUSDT", Hour1, 50, firstId: 2000);
        foreach (var table in Audited) { await pipeline.OffloadAsync(table); }
        return pipeline;
    }

    internal static HotColdAuditor NewAuditor(HotColdPipeline pipeline, IReoffloadRequests? requests = null) =>
        new(HotColdPipeline.Gateway, pipeline.Hot.Settings, pipeline.Warehouse, new ColdSourceSql(new S3StorageOptions()),
            new AuditThresholds(1m, 5m), requests ?? new RecordedReoffloads(), TimeProvider.System, NullLogger.Instance);

    private static (HotColdAuditor Auditor, AuditLog Log, RecordedReoffloads Requests) Auditor(HotColdPipeline pipeline)
    {
        var requests = new RecordedReoffloads();
        var auditor = NewAuditor(pipeline, requests);
        var log = new AuditLog(pipeline.Warehouse.Catalog);
        log.EnsureAsync(CancellationToken.None).GetAwaiter().GetResult();
        return (auditor, log, requests);
    }

    /// <summary>The windows the audit asked the offload to redo (the offload job registers the real receiver).</summary>
    private sealed class RecordedReoffloads : IReoffloadRequests
    {
        public List<(string Table, DateTimeOffset From, DateTimeOffset To)> Requests { get; } = [];

        public Task RequestAsync(ColdTable table, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
        {
            Requests.Add((table.Name, from, to));
            return Task.CompletedTask;
        }
    }
}
