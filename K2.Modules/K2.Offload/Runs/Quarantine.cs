using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Offload.Hot;
using K2.Offload.Tables;
using Microsoft.Extensions.Logging;

namespace K2.Offload.Runs;

/// <summary>
/// Hot rows a cold table cannot hold (a value out of the cold type's range, or with more digits than it keeps) are moved
/// aside into the hot tier's <see cref="HotTierMigrations.QuarantineTable"/> with the reason, instead of failing the
/// table's offload run after run until hot retention deletes everything behind them. The run offloads the other rows
/// and advances the watermark past the quarantined ones.
/// </summary>
internal sealed class Quarantine(HotRows hot, ILogger logger)
{
    /// <summary>The condition a hot row of <paramref name="table"/> must meet to be offloaded; null when every row fits.</summary>
    public static string? Fits(ColdTable table)
    {
        var conditions = table.Columns.Where(c => c.FitsCondition is not null).Select(c => $"({c.FitsCondition})").ToList();
        return conditions.Count == 0 ? null : string.Join(" AND ", conditions);
    }

    /// <summary><paramref name="rows"/> (a <c>SELECT</c> of hot rows) without the rows that do not fit the cold table.</summary>
    public static string Fitting(ColdTable table, string rows) => Fits(table) is { } fits ? $"SELECT * FROM ({rows}) WHERE {fits}" : rows;

    /// <summary>Copies the rows of <paramref name="rows"/> that do not fit into the quarantine table; returns how many.</summary>
    public async Task<long> MoveAsync(ColdTable table, string rows, CancellationToken cancellationToken)
    {
        if (Fits(table) is not { } fits) { return 0; }
        var misfits = $"SELECT * FROM ({rows}) WHERE NOT ({fits})";
        var count = long.Parse((await hot.Gateway.QueryRowsAsync($"SELECT count() FROM ({misfits})", cancellationToken: cancellationToken).ConfigureAwait(false)).Single()[0],
            CultureInfo.InvariantCulture);
        if (count == 0) { return 0; }

        var reasons = table.Columns.Where(c => c.FitsCondition is not null).Select(c => $"if({c.FitsCondition}, '', {c.MisfitReason})");
        var key = $"concat({string.Join(", '|', ", table.AuditKey.Select(c => $"toString({c})"))})";
        await hot.Gateway.ExecuteAsync($"""
            INSERT INTO {hot.Table(HotTierMigrations.QuarantineTable)} (cold_table, row_key, reason, hot_row)
            SELECT '{table.Name}', {key}, arrayStringConcat(arrayFilter(x -> x != '', [{string.Join(", ", reasons)}]), '; '), formatRowNoNewline('JSONEachRow', *)
            FROM ({misfits})
            """, cancellationToken: cancellationToken).ConfigureAwait(false);
        OffloadMetrics.Quarantined.WithLabels(table.Name).Inc(count);
        Log.Quarantined(logger, table.Name, count, HotTierMigrations.QuarantineTable);
        return count;
    }
}
