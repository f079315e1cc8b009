namespace K2.Maintenance.Audit;

/// <summary>Outcome of one audit row, stored as its wire name in <c>maintenance_audit_log.status</c>.</summary>
public enum AuditStatus { Ok, Warning, MissingData, Error }

public static class AuditStatuses
{
    public static string ToWire(this AuditStatus status) => status switch
    {
        AuditStatus.Ok => "ok",
        AuditStatus.Warning => "warning",
        AuditStatus.MissingData => "missing_data",
        _ => "error",
    };

    public static AuditStatus Parse(string wire) => wire switch
    {
        "ok" => AuditStatus.Ok,
        "warning" => AuditStatus.Warning,
        "missing_data" => AuditStatus.MissingData,
        _ => AuditStatus.Error,
    };

    /// <summary>Whether the run fails because of this row.</summary>
    public static bool FailsRun(this AuditStatus status) => status is AuditStatus.MissingData or AuditStatus.Error;
}

/// <summary>
/// The reference's rules on hot (<c>ch</c>) and cold (<c>ice</c>) row counts: hot empty → ok; |Δ%| ≤ ok% → ok;
/// cold short by more than missing% → missing_data; anything else → warning.
/// </summary>
public sealed record AuditThresholds(decimal OkPercent, decimal MissingPercent)
{
    public (AuditStatus Status, decimal? DeltaPercent) Classify(long hot, long cold)
    {
        if (hot == 0) { return (AuditStatus.Ok, null); }
        var pct = Math.Round((cold - hot) * 100m / hot, 4);
        if (Math.Abs(pct) <= OkPercent) { return (AuditStatus.Ok, pct); }
        return (cold < hot && Math.Abs(pct) > MissingPercent ? AuditStatus.MissingData : AuditStatus.Warning, pct);
    }
}
