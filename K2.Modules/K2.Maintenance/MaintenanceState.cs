using K2.Core.Health;
using K2.Maintenance.Audit;

namespace K2.Maintenance;

/// <summary>The last run and audit, kept for <c>k2 status</c>.</summary>
internal sealed class MaintenanceState
{
    private readonly Lock _lock = new();
    private MaintenanceRunResult? _lastRun;
    private AuditReport? _lastAudit;

    public void Completed(MaintenanceRunResult run)
    {
        lock (_lock)
        {
            _lastRun = run;
            _lastAudit = run.Audit ?? _lastAudit;
        }
    }

    public void Audited(AuditReport report)
    {
        lock (_lock) { _lastAudit = report; }
    }

    public (MaintenanceRunResult? Run, AuditReport? Audit) Latest()
    {
        lock (_lock) { return (_lastRun, _lastAudit); }
    }
}

/// <summary>The "Maintenance" section of <c>k2 status</c>: last run and last audit.</summary>
internal sealed class MaintenanceStatus(MaintenanceState state, MaintenanceOptions options) : IStatusContributor
{
    public int Order => 70;

    public StatusSection Snapshot()
    {
        var (run, audit) = state.Latest();
        var rows = new List<IReadOnlyList<string>>
        {
            run is null
                ? ["maintenance", "never ran", "", $"schedule {options.Schedule} UTC"]
                : ["maintenance", run.Outcome, $"{run.FinishedAt:yyyy-MM-dd HH:mm:ss}Z",
                    $"{run.Tables.Count} table(s), {run.FailedSteps} failed step(s), {run.Tables.Sum(t => t.Compaction?.Groups ?? 0)} compaction group(s)"],
            audit is null
                ? ["audit", "never ran", "", ""]
                : ["audit", audit.Failed ? "failed" : "ok", $"{audit.RunAt:yyyy-MM-dd HH:mm:ss}Z",
                    $"ok={audit.Count(AuditStatus.Ok)} warning={audit.Count(AuditStatus.Warning)} missing_data={audit.Count(AuditStatus.MissingData)} error={audit.Count(AuditStatus.Error)}"],
        };
        return new StatusSection("Maintenance", ["STEP", "RESULT", "AT", "DETAIL"], rows, []);
    }
}
