using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Iceberg.Tables;
using K2.Offload.Tables;
using Microsoft.Extensions.Logging;

namespace K2.Maintenance.Audit;

/// <summary>
/// Compares the hot tier with the cold tables over a window ending at the current hour: per table and per
/// (exchange, symbol, hour), row counts for all tables, trade-id range and Σ price × quantity for trade tables,
/// candle sums for gold. Cold tables are read by ClickHouse's own Iceberg reader, so the check covers what readers see.
/// </summary>
internal sealed class HotColdAuditor(
    IClickHouseGateway gateway, HotTierSettings hot, IcebergWarehouse warehouse, ColdSourceSql coldSql, AuditThresholds thresholds,
    IReoffloadRequests reoffload, TimeProvider time, ILogger logger)
{
    private sealed record Figures(long Rows, string Values);

    public async Task<AuditReport> AuditAsync(IEnumerable<ColdTable> tables, int windowHours, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var end = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var start = end.AddHours(-windowHours);
        var rows = new List<AuditRow>();
        foreach (var table in tables)
        {
            try
            {
                rows.AddRange(await AuditTableAsync(table, start, end, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.AuditTableFailed(logger, table.Name, ex);
                rows.Add(new AuditRow(table.Name, table.HotTable, Layer(table), null, null, null, 0, 0, null, null, null, AuditStatus.Error,
                    $"audit failed: {ex.GetType().Name}: {ex.Message}"));
            }
        }

        return new AuditReport(Guid.NewGuid().ToString("N"), now, start, end, rows);
    }

    private async Task<IReadOnlyList<AuditRow>> AuditTableAsync(ColdTable table, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var hotRows = await QueryAsync(AuditQuery.Hot(table, hot, start, end), cancellationToken).ConfigureAwait(false);
        var cold = await warehouse.TryLoadTableAsync(table.Identifier, cancellationToken).ConfigureAwait(false);
        var coldRows = cold?.Metadata.CurrentSnapshot is null
            ? []
            : await QueryAsync(AuditQuery.Cold(table, coldSql.For(cold.Metadata.Location), start, end), cancellationToken).ConfigureAwait(false);

        var fromSilver = table.Layer == ColdLayer.Gold && coldRows.Count > 0
            && await warehouse.TryLoadTableAsync(ColdTables.Silver.Identifier, cancellationToken).ConfigureAwait(false) is { Metadata.CurrentSnapshot: not null } silver
            ? await QueryAsync(AuditQuery.CandlesFromSilver(table, coldSql.For(silver.Metadata.Location), start, end), cancellationToken).ConfigureAwait(false)
            : null;
        var result = new List<AuditRow>();
        var revised = new List<DateTimeOffset>();
        foreach (var key in hotRows.Keys.Union(coldRows.Keys).Order())
        {
            var h = hotRows.GetValueOrDefault(key);
            var c = coldRows.GetValueOrDefault(key);
            var (status, pct) = thresholds.Classify(h?.Rows ?? 0, c?.Rows ?? 0);
            var notes = "";
            if (h is not null && c is not null && h.Rows == c.Rows && h.Values != c.Values)
            {
                if (table.Layer == ColdLayer.Gold)
                {
                    status = AuditStatus.Warning;
                    notes = "candles differ (revised after offload); re-offload requested";
                    revised.Add(key.Hour);
                }
                else
                {
                    status = AuditStatus.Error;
                    notes = $"same row count but different {AuditQuery.FiguresName(table)}";
                }
            }

            if (c is not null && fromSilver is not null && fromSilver.GetValueOrDefault(key) != c)
            {
                status = AuditStatus.Error;
                notes = $"cold candles differ from the candles of cold silver ({fromSilver.GetValueOrDefault(key)?.Values ?? "no trades"}){(notes.Length == 0 ? "" : "; " + notes)}";
            }

            result.Add(new AuditRow(table.Name, table.HotTable, Layer(table), key.Exchange, key.Symbol, key.Hour, h?.Rows ?? 0, c?.Rows ?? 0, pct,
                h?.Values, c?.Values, status, notes));
        }

        foreach (var hour in revised.Distinct().Order())
        {
            await reoffload.RequestAsync(table, hour, hour.AddHours(1), cancellationToken).ConfigureAwait(false);
        }

        var quarantined = await QuarantinedAsync(table, cancellationToken).ConfigureAwait(false);
        if (quarantined > 0)
        {
            result.Add(new AuditRow(table.Name, HotTierMigrations.QuarantineTable, Layer(table), null, null, null, quarantined, 0, null, null, null, AuditStatus.Warning,
                $"{quarantined} hot rows could not be offloaded and wait in {HotTierMigrations.QuarantineTable} with their reason"));
        }

        var hotTotal = result.Where(r => r.HotSource == table.HotTable).Sum(r => r.HotRows);
        var coldTotal = result.Where(r => r.HotSource == table.HotTable).Sum(r => r.ColdRows);
        var (tableStatus, tablePct) = thresholds.Classify(hotTotal, coldTotal);
        var worst = result.Count == 0 ? AuditStatus.Ok : result.Max(r => r.Status);
        var summary = $"{result.Count} (exchange, symbol, hour) rows: {result.Count(r => r.Status == AuditStatus.Ok)} ok"
            + (cold is null ? "; cold table not created yet" : "");
        result.Insert(0, new AuditRow(table.Name, table.HotTable, Layer(table), null, null, null, hotTotal, coldTotal, tablePct, null, null,
            worst > tableStatus ? worst : tableStatus, summary));
        return result;
    }

    private async Task<long> QuarantinedAsync(ColdTable table, CancellationToken cancellationToken) => long.Parse(
        (await gateway.QueryRowsAsync($"SELECT count() FROM {hot.Table(HotTierMigrations.QuarantineTable)} FINAL WHERE cold_table = '{table.Name}'",
            cancellationToken: cancellationToken).ConfigureAwait(false)).Single()[0], CultureInfo.InvariantCulture);

    private async Task<Dictionary<(string Exchange, string Symbol, DateTimeOffset Hour), Figures>> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        var result = new Dictionary<(string, string, DateTimeOffset), Figures>();
        foreach (var fields in await gateway.QueryRowsAsync(sql, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var hour = DateTimeOffset.FromUnixTimeSeconds(long.Parse(fields[2], CultureInfo.InvariantCulture));
            result[(fields[0], fields[1], hour)] = new Figures(long.Parse(fields[3], CultureInfo.InvariantCulture), fields[4]);
        }

        return result;
    }

    private static string Layer(ColdTable table) => table.Layer.ToString().ToLowerInvariant();
}
