using K2.Maintenance.Audit;
using K2.Maintenance.Cleanup;
using K2.Maintenance.Compaction;

namespace K2.Maintenance;

/// <summary>What the maintenance steps did to one table; a failed step is named in <see cref="Failures"/>.</summary>
public sealed record TableMaintenance(string Table, CompactionResult? Compaction, ManifestOutcome? Manifests, ExpiryOutcome? Expiry, OrphanOutcome? Orphans, IReadOnlyList<string> Failures);

/// <summary>One run: the tables' steps and the audit. It fails when the audit has a <c>missing_data</c> or <c>error</c> row or could not run.</summary>
public sealed record MaintenanceRunResult(DateTimeOffset StartedAt, DateTimeOffset FinishedAt, IReadOnlyList<TableMaintenance> Tables, AuditReport? Audit, string? AuditFailure)
{
    public bool Failed => Audit is null || Audit.Failed;

    public int FailedSteps => Tables.Sum(t => t.Failures.Count);

    public string Outcome => Failed ? "failed" : FailedSteps > 0 ? "partial" : "ok";
}
