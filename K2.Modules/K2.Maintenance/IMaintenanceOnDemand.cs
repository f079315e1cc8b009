using K2.Maintenance.Audit;

namespace K2.Maintenance;

/// <summary>
/// Maintenance now, outside its schedule: what <c>k2 maintenance --once</c> and <c>k2 audit --run</c> run. Registered by
/// <see cref="MaintenanceModule.AddMaintenance"/>; one run at a time in a process, like the scheduled job.
/// </summary>
public interface IMaintenanceOnDemand
{
    /// <summary>
    /// Compaction, snapshot expiry and orphan cleanup of every cold table, or only <paramref name="tableName"/> (e.g.
    /// <c>silver_trades</c>), then the hot-vs-cold audit of them, written to the audit log. A failed step is in the
    /// result and the other steps go on.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="tableName"/> is not a cold table.</exception>
    Task<MaintenanceRunResult> RunAsync(string? tableName, CancellationToken cancellationToken);

    /// <summary>Only the audit, of every cold table or only <paramref name="tableName"/>, written to the audit log like a run's.</summary>
    /// <exception cref="ArgumentException"><paramref name="tableName"/> is not a cold table.</exception>
    Task<AuditReport> AuditAsync(string? tableName, CancellationToken cancellationToken);
}
