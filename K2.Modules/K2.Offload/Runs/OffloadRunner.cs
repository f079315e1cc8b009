using System.Diagnostics;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Operations;
using K2.Core.Hosting;
using K2.Iceberg.Tables;
using K2.Offload.Hot;
using K2.Offload.Tables;
using K2.Offload.Watermarks;
using Microsoft.Extensions.Logging;

namespace K2.Offload.Runs;

/// <summary>
/// One offload run: the three bronze tables concurrently, then silver, then the six candle tables concurrently. A
/// table that fails is logged, counted and retried next run; the others go on.
/// </summary>
internal sealed class OffloadRunner(OffloadContext context, OffloadBoard board, IMemoryPolicy? memory = null) : IOffloadOnDemand, ICandleRewrite
{
    private bool _started;

    public OffloadContext Context => context;

    public OffloadBoard Board => board;

    /// <summary>A runner reading the hot tier in <paramref name="database"/> and writing to <paramref name="warehouse"/>.</summary>
    /// <param name="memory">The host's memory policy, told when a run ends; none in tests.</param>
    /// <param name="candles">Repairs candles a redelivered block inflated before they are offloaded; none, no repair.</param>
    public static OffloadRunner Create(IClickHouseGateway gateway, string database, IcebergWarehouse warehouse, OffloadOptions options,
        TimeProvider time, ILogger logger, OffloadFaults? faults = null, IMemoryPolicy? memory = null, CandleRepair? candles = null, ColdSourceSql? coldSource = null)
    {
        var context = new OffloadContext(new HotRows(gateway, database), warehouse, new WatermarkStore(warehouse.Catalog), options, time, logger)
        {
            Faults = faults ?? new OffloadFaults(),
            Candles = candles,
        };
        return new(coldSource is null ? context : context with { ColdSource = coldSource }, new OffloadBoard(time), memory);
    }

    public async Task<IReadOnlyList<OffloadResult>> RunAsync(IReadOnlyCollection<ColdTable>? only = null, CancellationToken cancellationToken = default)
    {
        if (!_started)
        {
            await context.Watermarks.InitializeAsync(cancellationToken).ConfigureAwait(false);
            _started = true;
        }

        var clock = Stopwatch.StartNew();
        bool Selected(ColdTable t) => only is null || only.Contains(t);
        var results = new List<OffloadResult>();
        results.AddRange(await Task.WhenAll(ColdTables.Bronze.Where(Selected).Select(t => RunTableAsync(t, cancellationToken))).ConfigureAwait(false));
        if (Selected(ColdTables.Silver)) { results.Add(await RunTableAsync(ColdTables.Silver, cancellationToken).ConfigureAwait(false)); }
        var gold = ColdTables.Gold.Where(Selected).ToList();
        if (gold.Count > 0)
        {
            await RepairRedeliveredCandlesAsync(gold, cancellationToken).ConfigureAwait(false);

            // A rebuild (the candle check's) deletes windows before it writes them again: the candle tables are read without one.
            await using var noRebuild = context.Candles is { } candles ? await candles.HoldRebuildsAsync(cancellationToken).ConfigureAwait(false) : null;
            results.AddRange(await Task.WhenAll(gold.Select(t => RunTableAsync(t, cancellationToken))).ConfigureAwait(false));
        }

        await context.Hot.Gateway.ReleaseFreedMemoryAsync(cancellationToken).ConfigureAwait(false);
        memory?.LargeJobFinished();
        Log.RunDone(context.Logger, Guid.NewGuid().ToString("N")[..8], results.Count(r => r.Outcome == OffloadOutcome.Committed),
            results.Count(r => r.Outcome == OffloadOutcome.Failed), results.Count, clock.Elapsed.TotalSeconds);
        return results;
    }

    /// <summary>
    /// The Kafka engine is at-least-once and the candle views count a redelivered block again: before the candle tables
    /// are offloaded, windows touched by silver rows ingested since the earliest candle table's last cut are checked
    /// against silver's distinct trades and rebuilt if inflated, so the offload (which re-reads windows those rows touched)
    /// takes the repaired candles. A failed repair is logged; the offload goes on.
    /// </summary>
    private async Task RepairRedeliveredCandlesAsync(IReadOnlyList<ColdTable> gold, CancellationToken cancellationToken)
    {
        if (context.Candles is not { } candles) { return; }
        try
        {
            long since = long.MaxValue;
            foreach (var table in gold)
            {
                since = Math.Min(since, (await context.Watermarks.ReadWatermarkAsync(table.Name, cancellationToken).ConfigureAwait(false)).Of("cut", 0));
            }

            await candles.RepairRedeliveredAsync(DateTimeOffset.UnixEpoch.AddTicks(since * 10), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.CandleRepairFailed(context.Logger, ex);
        }
    }

    public Task<OffloadResult> RewriteAsync(ColdTable candles, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        candles.Layer == ColdLayer.Gold
            ? RunTableAsync(candles, cancellationToken, (from, to))
            : throw new ArgumentException($"{candles.Name} is not a candle table: only candle windows are rewritten", nameof(candles));

    /// <param name="rewrite">For a candle table: already offloaded windows in this range are rewritten from the hot tier.</param>
    public async Task<OffloadResult> RunTableAsync(ColdTable table, CancellationToken cancellationToken, (DateTimeOffset From, DateTimeOffset To)? rewrite = null)
    {
        var clock = Stopwatch.StartNew();
        OffloadResult result;
        try
        {
            await Task.Yield();
            result = table.Layer == ColdLayer.Gold
                ? await new CandleOffloader(context).RunAsync(table, cancellationToken, rewrite).ConfigureAwait(false)
                : await new TradeOffloader(context).RunAsync(table, cancellationToken).ConfigureAwait(false);
            Log.TableDone(context.Logger, table.Name, result.Outcome.ToString(), result.Rows, result.Bytes, result.Files, result.Duration.TotalSeconds, result.Watermark);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.TableFailed(context.Logger, table.Name, ex);
            result = new OffloadResult(table.Name, OffloadOutcome.Failed, 0, 0, 0, clock.Elapsed, null, "", ex.Message);
        }

        board.Record(result);
        return result;
    }
}
