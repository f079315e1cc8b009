using System.Diagnostics;
using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Iceberg.Spec;
using K2.Iceberg.Tables;
using K2.Offload.Hot;
using K2.Offload.Tables;
using K2.Offload.Watermarks;

namespace K2.Offload.Runs;

/// <summary>
/// Offloads a candle table: windows closed for longer than the allowed lateness are appended once, and a window whose
/// hot candle changed after it was offloaded (a late or backfilled trade reached silver since the last run) is
/// rewritten: the cold files holding it are replaced by the same rows with the revised candle (an Iceberg overwrite),
/// so a window never has two rows. ClickHouse writes the files, as it does the trades': one query reads the new candles
/// from the hot tier and the kept rows of the replaced files from the cold tier, sorts them and writes one Parquet file
/// per partition.
/// </summary>
/// <remarks>
/// Watermark streams: <c>horizon</c>, windows starting before it are offloaded; <c>cut</c>, silver rows ingested up to
/// it have reached the cold candles (both Unix microseconds).
/// </remarks>
internal sealed class CandleOffloader(OffloadContext context)
{
    private const string Horizon = "horizon";
    private const string Cut = "cut";

    /// <param name="rewrite">
    /// Windows already offloaded to rewrite from the hot tier whether or not new silver rows arrived in them —
    /// how a revision that bypasses silver (a candle repair) reaches the cold tier when the audit asks for it.
    /// </param>
    public async Task<OffloadResult> RunAsync(ColdTable table, CancellationToken cancellationToken, (DateTimeOffset From, DateTimeOffset To)? rewrite = null)
    {
        var clock = Stopwatch.StartNew();
        var interval = table.Interval!;
        var (iceberg, start) = await context.OpenAsync(table, cancellationToken).ConfigureAwait(false);
        var now = context.Time.GetUtcNow();
        var horizon = Micros(interval.WindowStart(now - TimeSpan.FromSeconds(context.Options.CandleLatenessSeconds)));
        var cut = Micros(now - TimeSpan.FromSeconds(context.Options.IngestionMarginSeconds));
        var previousHorizon = start.From.Of(Horizon, 0);
        var previousCut = start.From.Of(Cut, 0);
        var revised = RevisedWindows(interval, previousHorizon, previousCut, cut);
        if (rewrite is { } requested)
        {
            revised += $"""

                UNION DISTINCT
                SELECT exchange, symbol, toDateTime(window_start, 'UTC') AS w FROM {context.Hot.Table(table)}
                WHERE window_start >= {Time(Micros(requested.From))} AND window_start < {Time(Micros(requested.To))} AND window_start < {Time(previousHorizon)}
                """;
        }

        var revisedKeys = await RevisedKeysAsync(revised, cancellationToken).ConfigureAwait(false);
        if (horizon <= previousHorizon && revisedKeys.Count == 0)
        {
            return new OffloadResult(table.Name, OffloadOutcome.UpToDate, 0, 0, 0, clock.Elapsed, null, start.From.ToJson());
        }

        var selected = $"""
            SELECT * FROM {context.Hot.Table(table)}
            WHERE window_start < {Time(horizon)}
              AND (window_start >= {Time(previousHorizon)} OR (exchange, symbol, window_start) IN ({revised}))
            """;
        var quarantined = await context.Quarantine.MoveAsync(table, selected, cancellationToken).ConfigureAwait(false);
        var fitting = Quarantine.Fitting(table, selected);

        // Files holding a revised window are written again by the same query, without their old row of it (its new row comes from the hot tier).
        // The old row may be in a partition of any of the table's specs (tables created before month partitions have day ones);
        // of a partition, only the files whose window_start bounds take in a revised window can hold it.
        var specs = iceberg.Metadata.PartitionSpecs;
        var affected = revisedKeys.SelectMany(k => specs.Select(s => (s.SpecId, s.KeyOf(table.Schema, KeyRow(table, k))))).ToHashSet();
        var windows = revisedKeys.Select(k => k.Item3).ToList();
        var replaced = (await iceberg.ListDataFilesAsync(cancellationToken).ConfigureAwait(false))
            .Where(f => affected.Contains((f.SpecId, f.Partition)) && MayHoldAny(table, f, windows)).ToList();
        var columns = string.Join(", ", table.Columns.Select(c => $"`{c.Name}`"));
        var kept = replaced.Count == 0 ? "" : $"""

            UNION ALL
            SELECT {columns} FROM {context.ColdSource.ForDataFiles([.. replaced.Select(f => f.Path)], ClickHouseColumnTypes.Structure(iceberg.Metadata.CurrentSchema))}
            WHERE (exchange, symbol, window_start) NOT IN (SELECT exchange, symbol, toDateTime64(w, 6, 'UTC') FROM ({revised}))
            """;
        var order = table.SortColumns.Select(c => $"`{c}`").ToList();
        var sql = $"SELECT * FROM ({HotRows.ParquetSelect(table, fitting)}{kept}) ORDER BY {string.Join(", ", order)}";

        // Live trades may add a candle of a window below the horizon at any time (a late trade opening a window), so the files
        // written name their partitions: a survey taken before the export could miss one and leave its candles out.
        var files = await context.Hot.WriteFilesAsync(table, iceberg, sql, partitions: null, order, cancellationToken).ConfigureAwait(false);
        var written = files.Sum(f => f.RecordCount) - (replaced.Sum(f => f.RecordCount) - await ReplacedRowsAsync(replaced, revised, cancellationToken).ConfigureAwait(false));

        var next = start.From.With(new Dictionary<string, long> { [Horizon] = Math.Max(horizon, previousHorizon), [Cut] = cut });
        var paths = replaced.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var committed = await ColdCommit.CommitAsync(context, table, iceberg, start, next,
            new Dictionary<string, long> { [Horizon] = written }, files, f => paths.Contains(f.Path), cancellationToken).ConfigureAwait(false);
        return committed
            ? new OffloadResult(table.Name, OffloadOutcome.Committed, written, files.Sum(f => f.FileSizeInBytes), files.Count, clock.Elapsed,
                written > 0 && HotRows.Newest(table, files) is { } newest ? new DateTimeOffset(newest) : null, next.ToJson()) { Quarantined = quarantined }
            : new OffloadResult(table.Name, OffloadOutcome.Superseded, 0, 0, 0, clock.Elapsed, null, start.From.ToJson());
    }

    /// <summary>Windows already offloaded whose candle a silver row ingested since the last run changed.</summary>
    private string RevisedWindows(CandleInterval interval, long previousHorizon, long previousCut, long cut) => $"""
        SELECT DISTINCT exchange, symbol, toDateTime(toStartOfInterval(exchange_ts, INTERVAL {interval.SqlInterval}, 'UTC'), 'UTC') AS w
        FROM {context.Hot.Table(HotTierMigrations.SilverTable)}
        WHERE ingested_at > {Time(previousCut)} AND ingested_at <= {Time(cut)} AND exchange_ts < {Time(previousHorizon)} AND is_valid
        """;

    private async Task<HashSet<(string, string, DateTime)>> RevisedKeysAsync(string revised, CancellationToken cancellationToken)
    {
        var rows = await context.Hot.Gateway.QueryRowsAsync($"SELECT exchange, symbol, toUnixTimestamp(w) FROM ({revised})", cancellationToken: cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => (r[0], r[1], DateTime.UnixEpoch.AddSeconds(long.Parse(r[2], CultureInfo.InvariantCulture))))];
    }

    /// <summary>Whether one of <paramref name="windows"/> lies within the window_start bounds of <paramref name="file"/> (true when it has none).</summary>
    private static bool MayHoldAny(ColdTable table, DataFile file, IReadOnlyList<DateTime> windows)
    {
        var id = table.FieldId("window_start");
        if (!file.LowerBounds.TryGetValue(id, out var lowerBytes) || !file.UpperBounds.TryGetValue(id, out var upperBytes)) { return true; }
        var (lower, upper) = ((DateTime)SingleValue.Decode(PrimitiveType.TimestampTz, lowerBytes), (DateTime)SingleValue.Decode(PrimitiveType.TimestampTz, upperBytes));
        return windows.Any(w => lower <= w && w <= upper);
    }

    private static object?[] KeyRow(ColdTable table, (string Exchange, string Symbol, DateTime Window) key)
    {
        var row = new object?[table.Columns.Count];
        row[table.Schema.IndexOf("exchange")] = key.Exchange;
        row[table.Schema.IndexOf("symbol")] = key.Symbol;
        row[table.Schema.IndexOf("window_start")] = key.Window;
        return row;
    }

    /// <summary>Rows of <paramref name="replaced"/> that hold a revised window (they are not written again).</summary>
    private async Task<long> ReplacedRowsAsync(IReadOnlyList<DataFile> replaced, string revised, CancellationToken cancellationToken)
    {
        if (replaced.Count == 0) { return 0; }
        var files = context.ColdSource.ForDataFiles([.. replaced.Select(f => f.Path)], $"exchange String, symbol String, window_start DateTime64(6, 'UTC')");
        var rows = await context.Hot.Gateway.QueryRowsAsync(
            $"SELECT count() FROM {files} WHERE (exchange, symbol, window_start) IN (SELECT exchange, symbol, toDateTime64(w, 6, 'UTC') FROM ({revised}))",
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return long.Parse(rows.Single()[0], CultureInfo.InvariantCulture);
    }

    private static long Micros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static string Time(long micros) => string.Create(CultureInfo.InvariantCulture, $"fromUnixTimestamp64Micro(toInt64({micros}), 'UTC')");
}
