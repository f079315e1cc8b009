using K2.ClickHouse.Gateway;
using K2.Iceberg.Tables;
using K2.Maintenance.Audit;
using K2.Maintenance.Cleanup;
using K2.Maintenance.Compaction;
using K2.Offload.Tables;
using Microsoft.Extensions.Logging;

namespace K2.Maintenance;

/// <summary>
/// One maintenance run: per cold table compaction → snapshot expiry → orphan cleanup (a failed step is logged and the
/// other steps and tables go on), then the hot-vs-cold audit of all of them, written to maintenance_audit_log.
/// </summary>
internal sealed class MaintenanceRunner(
    IcebergWarehouse warehouse, IClickHouseGateway clickHouse, ColdSourceSql coldSource, HotColdAuditor auditor, AuditLog auditLog, MaintenanceOptions options, MaintenanceState state,
    TimeProvider time, ILogger<MaintenanceRunner> logger) : IMaintenanceOnDemand
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>Runs over every cold table, or only <paramref name="tableName"/> (e.g. <c>silver_trades</c>).</summary>
    public Task<MaintenanceRunResult> RunAsync(string? tableName, CancellationToken cancellationToken) => RunAsync(Select(tableName), cancellationToken);

    internal async Task<MaintenanceRunResult> RunAsync(IReadOnlyList<ColdTable> tables, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await warehouse.Catalog.InitializeAsync(cancellationToken).ConfigureAwait(false);
            var started = time.GetUtcNow();
            var results = new List<TableMaintenance>();
            foreach (var table in tables) { results.Add(await MaintainAsync(table, cancellationToken).ConfigureAwait(false)); }
            var (audit, auditFailure) = await AuditRunAsync(tables, cancellationToken).ConfigureAwait(false);
            var run = new MaintenanceRunResult(started, time.GetUtcNow(), results, audit, auditFailure);
            MaintenanceMetrics.Record(run);
            state.Completed(run);
            Log.RunFinished(logger, run.Outcome, results.Count, run.FailedSteps, audit?.Count(AuditStatus.Ok) ?? 0, audit?.Count(AuditStatus.Warning) ?? 0,
                audit?.Count(AuditStatus.MissingData) ?? 0, audit?.Count(AuditStatus.Error) ?? 0);
            return run;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Only the audit (<c>k2 audit --run</c>), written to the log like a run's.</summary>
    public async Task<AuditReport> AuditAsync(string? tableName, CancellationToken cancellationToken)
    {
        await warehouse.Catalog.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var report = await auditor.AuditAsync(Select(tableName), options.AuditWindowHours, cancellationToken).ConfigureAwait(false);
        await auditLog.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await auditLog.WriteAsync(report, options.AuditWindowHours, cancellationToken).ConfigureAwait(false);
        state.Audited(report);
        return report;
    }

    public static IReadOnlyList<ColdTable> Select(string? tableName) => tableName is null
        ? ColdTables.All
        : [ColdTables.Find(tableName) ?? throw new ArgumentException($"no cold table '{tableName}'; one of: {string.Join(", ", ColdTables.All.Select(t => t.Name))}")];

    private async Task<TableMaintenance> MaintainAsync(ColdTable cold, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var table = await warehouse.TryLoadTableAsync(cold.Identifier, cancellationToken).ConfigureAwait(false);
        if (table is null) { return new TableMaintenance(cold.Name, null, null, null, null, failures); }

        var cleanup = new TableCleanup(warehouse, time);
        var compaction = await StepAsync(cold.Name, "compaction", failures,
            () => new TableCompactor(warehouse, clickHouse, coldSource, options, time, logger).CompactAsync(table, cancellationToken)).ConfigureAwait(false);
        var manifests = await StepAsync(cold.Name, "manifests", failures,
            async () => new ManifestOutcome(await table.RewriteManifestsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
        var expiry = await StepAsync(cold.Name, "expiry", failures,
            () => cleanup.ExpireAsync(table, TimeSpan.FromHours(options.SnapshotMaxAgeHours), options.RetainSnapshots, cancellationToken)).ConfigureAwait(false);
        var orphans = await StepAsync(cold.Name, "orphans", failures,
            () => cleanup.RemoveOrphansAsync(table, TimeSpan.FromHours(options.OrphanMinAgeHours), cancellationToken)).ConfigureAwait(false);
        return new TableMaintenance(cold.Name, compaction, manifests, expiry, orphans, failures);
    }

    private async Task<T?> StepAsync<T>(string table, string step, List<string> failures, Func<Task<T>> action) where T : class
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StepFailed(logger, step, table, ex);
            failures.Add(step);
            return null;
        }
    }

    private async Task<(AuditReport?, string?)> AuditRunAsync(IReadOnlyList<ColdTable> tables, CancellationToken cancellationToken)
    {
        try
        {
            var report = await auditor.AuditAsync(tables, options.AuditWindowHours, cancellationToken).ConfigureAwait(false);
            await auditLog.EnsureAsync(cancellationToken).ConfigureAwait(false);
            await auditLog.WriteAsync(report, options.AuditWindowHours, cancellationToken).ConfigureAwait(false);
            return (report, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StepFailed(logger, "audit", "all tables", ex);
            return (null, ex.Message);
        }
    }
}
