using K2.Maintenance.Audit;
using Prometheus;

namespace K2.Maintenance;

/// <summary>Maintenance metrics; the table label is one of the ten cold tables.</summary>
internal static class MaintenanceMetrics
{
    private static readonly Gauge CompactionFiles = Metrics.CreateGauge("k2_maintenance_compaction_files",
        "Live data files of a cold table before and after the last compaction", "table", "phase");

    private static readonly Gauge CompactionBytes = Metrics.CreateGauge("k2_maintenance_compaction_bytes",
        "Bytes of live data files of a cold table before and after the last compaction", "table", "phase");

    private static readonly Counter SnapshotsExpired = Metrics.CreateCounter("k2_maintenance_snapshots_expired_total",
        "Snapshots expired by maintenance", "table");

    private static readonly Counter FilesDeleted = Metrics.CreateCounter("k2_maintenance_files_deleted_total",
        "Files deleted by snapshot expiry or orphan cleanup", "table", "reason");

    private static readonly Gauge OrphansFound = Metrics.CreateGauge("k2_maintenance_orphans_found",
        "Unreferenced files under a table's location at the last cleanup (young ones are kept)", "table");

    private static readonly Gauge AuditRows = Metrics.CreateGauge("k2_maintenance_audit_rows",
        "Rows of the last audit by status", "status");

    private static readonly Counter StepFailures = Metrics.CreateCounter("k2_maintenance_step_failures_total",
        "Maintenance steps that failed on a table (the run went on with the others)", "step");

    private static readonly Counter Runs = Metrics.CreateCounter("k2_maintenance_runs_total",
        "Maintenance runs by outcome (ok, partial, failed)", "outcome");

    private static readonly Gauge LastSuccess = Metrics.CreateGauge("k2_maintenance_last_success_timestamp_seconds",
        "Unix time of the end of the last maintenance run that did not fail");

    public static void Record(MaintenanceRunResult run)
    {
        foreach (var table in run.Tables)
        {
            if (table.Compaction is { } c)
            {
                CompactionFiles.WithLabels(table.Table, "before").Set(c.FilesBefore);
                CompactionFiles.WithLabels(table.Table, "after").Set(c.FilesAfter);
                CompactionBytes.WithLabels(table.Table, "before").Set(c.BytesBefore);
                CompactionBytes.WithLabels(table.Table, "after").Set(c.BytesAfter);
            }

            if (table.Expiry is { } e)
            {
                SnapshotsExpired.WithLabels(table.Table).Inc(e.SnapshotsExpired);
                FilesDeleted.WithLabels(table.Table, "expiry").Inc(e.FilesDeleted);
            }

            if (table.Orphans is { } o)
            {
                OrphansFound.WithLabels(table.Table).Set(o.OrphansFound);
                FilesDeleted.WithLabels(table.Table, "orphan").Inc(o.OrphansDeleted);
            }

            foreach (var step in table.Failures) { StepFailures.WithLabels(step).Inc(); }
        }

        foreach (var status in Enum.GetValues<AuditStatus>())
        {
            AuditRows.WithLabels(status.ToWire()).Set(run.Audit?.Count(status) ?? 0);
        }

        Runs.WithLabels(run.Outcome).Inc();
        if (!run.Failed) { LastSuccess.Set(run.FinishedAt.ToUnixTimeSeconds()); }
    }
}
