namespace K2.Maintenance.Audit;

/// <summary>
/// One row of <c>maintenance_audit_log</c>: a whole table (<see cref="Exchange"/>, <see cref="Symbol"/> and
/// <see cref="Hour"/> null) or one (exchange, symbol, hour) of it, with the figures on both sides.
/// </summary>
/// <param name="HotFigures">Trade tables: min/max trade id and Σ price × quantity; gold: Σ of the candle values. Null for table rows.</param>
public sealed record AuditRow(
    string Table,
    string HotSource,
    string Layer,
    string? Exchange,
    string? Symbol,
    DateTimeOffset? Hour,
    long HotRows,
    long ColdRows,
    decimal? DeltaPercent,
    string? HotFigures,
    string? ColdFigures,
    AuditStatus Status,
    string Notes)
{
    public long Delta => ColdRows - HotRows;
}

/// <summary>An audit run: its window and every row it wrote.</summary>
public sealed record AuditReport(string RunId, DateTimeOffset RunAt, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, IReadOnlyList<AuditRow> Rows)
{
    public int Count(AuditStatus status) => Rows.Count(r => r.Status == status);

    public bool Failed => Rows.Any(r => r.Status.FailsRun());
}
