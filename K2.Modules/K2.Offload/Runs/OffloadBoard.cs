using System.Collections.Concurrent;
using System.Globalization;
using K2.Core.Health;

namespace K2.Offload.Runs;

/// <summary>The last offload of each table, for metrics and <c>k2 status</c>.</summary>
internal sealed class OffloadBoard(TimeProvider time) : IStatusContributor
{
    private readonly ConcurrentDictionary<string, TableState> _tables = new(StringComparer.Ordinal);

    private sealed record TableState(OffloadResult Last, DateTimeOffset At, int ConsecutiveFailures, DateTimeOffset? LastSuccess, DateTimeOffset? NewestRow, long Quarantined);

    public int Order => 60;

    public void Record(OffloadResult result)
    {
        var now = time.GetUtcNow();
        var state = _tables.AddOrUpdate(result.Table,
            _ => Next(null, result, now),
            (_, previous) => Next(previous, result, now));
        OffloadMetrics.Runs.WithLabels(result.Table, Snake(result.Outcome)).Inc();
        OffloadMetrics.Duration.WithLabels(result.Table).Observe(result.Duration.TotalSeconds);
        OffloadMetrics.ConsecutiveFailures.WithLabels(result.Table).Set(state.ConsecutiveFailures);
        if (result.Outcome == OffloadOutcome.Failed) { return; }
        OffloadMetrics.Rows.WithLabels(result.Table).Inc(result.Rows);
        OffloadMetrics.Bytes.WithLabels(result.Table).Inc(result.Bytes);
        OffloadMetrics.LastRunRows.WithLabels(result.Table).Set(result.Rows);
        OffloadMetrics.LastRunBytes.WithLabels(result.Table).Set(result.Bytes);
        OffloadMetrics.LastSuccess.WithLabels(result.Table).Set(now.ToUnixTimeMilliseconds() / 1000.0);
        if (state.NewestRow is { } newest) { OffloadMetrics.Lag.WithLabels(result.Table).Set((now - newest).TotalSeconds); }
    }

    public StatusSection Snapshot()
    {
        var now = time.GetUtcNow();
        var rows = _tables.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => (IReadOnlyList<string>)
        [
            t.Key,
            Snake(t.Value.Last.Outcome),
            t.Value.At.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            t.Value.Last.Rows.ToString(CultureInfo.InvariantCulture),
            t.Value.NewestRow is { } newest ? $"{(now - newest).TotalSeconds:F0} s" : "-",
            t.Value.ConsecutiveFailures.ToString(CultureInfo.InvariantCulture),
            t.Value.LastSuccess?.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "never",
            t.Value.Quarantined.ToString(CultureInfo.InvariantCulture),
        ]).ToList();
        var notes = _tables.Values.Where(t => t.Last.Error is not null).Select(t => $"{t.Last.Table}: {t.Last.Error}").ToList();
        if (rows.Count == 0) { notes.Add("no offload has run in this process yet"); }
        notes.AddRange(_tables.Values.Where(t => t.Quarantined > 0).OrderBy(t => t.Last.Table, StringComparer.Ordinal)
            .Select(t => $"{t.Last.Table}: {t.Quarantined} rows quarantined in the hot tier's offload_quarantine table (see its reason column)"));
        return new StatusSection("Offload", ["table", "last outcome", "at", "rows", "lag", "failures in a row", "last success", "quarantined"], rows, notes);
    }

    private static TableState Next(TableState? previous, OffloadResult result, DateTimeOffset now) => result.Outcome == OffloadOutcome.Failed
        ? new TableState(result, now, (previous?.ConsecutiveFailures ?? 0) + 1, previous?.LastSuccess, previous?.NewestRow, previous?.Quarantined ?? 0)
        : new TableState(result, now, 0, now, Max(previous?.NewestRow, result.NewestRow), (previous?.Quarantined ?? 0) + result.Quarantined);

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static string Snake(OffloadOutcome outcome) => outcome switch
    {
        OffloadOutcome.Committed => "committed",
        OffloadOutcome.UpToDate => "up_to_date",
        OffloadOutcome.Superseded => "superseded",
        _ => "failed",
    };
}
