using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using Microsoft.Extensions.Logging;

namespace K2.ClickHouse.Operations;

/// <summary>
/// Recomputes the candles of a time range from deduplicated silver. Materialized views add every
/// redelivered trade to the candles, and deleting it from silver later does not take it out again:
/// the repair deletes the affected windows and rebuilds them from one row per (exchange, symbol, trade id), with the
/// Kafka consumers paused meanwhile, so windows still receiving live trades are rebuilt exactly too.
/// </summary>
public sealed class CandleRepair(IClickHouseGateway gateway, HotTierSettings settings, ILogger<CandleRepair> logger)
{
    private readonly SemaphoreSlim _rebuilds = new(1, 1);

    /// <summary>
    /// Holds this process's rebuilds off until the result is disposed. A rebuild deletes its windows before it writes them
    /// again from silver, so a reader in between (the candle offload) would miss them; rebuilds also wait for each other,
    /// as two at once would count their windows twice. Another process's <c>k2 ddl --repair-candles</c> is not held.
    /// </summary>
    public async Task<IAsyncDisposable> HoldRebuildsAsync(CancellationToken cancellationToken = default)
    {
        await _rebuilds.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Held(_rebuilds);
    }

    private sealed class Held(SemaphoreSlim gate) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) { gate.Release(); }
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// Finds the one-minute windows, among those holding silver rows ingested after <paramref name="ingestedAfter"/>, whose
    /// candle counted more trades than silver holds distinct ones — a block the Kafka engine delivered again, which the
    /// views counted twice — and rebuilds every candle table over their span.
    /// </summary>
    /// <returns>The repaired range, or null when no window was inflated.</returns>
    public async Task<(DateTimeOffset From, DateTimeOffset To)?> RepairRedeliveredAsync(DateTimeOffset ingestedAfter, CancellationToken cancellationToken = default)
    {
        var minute = CandleInterval.All[0];
        var silver = settings.Table(HotTierMigrations.SilverTable);
        var window = $"toDateTime(toStartOfInterval(exchange_ts, INTERVAL {minute.SqlInterval}, 'UTC'), 'UTC')";
        var touched = $"SELECT DISTINCT exchange, symbol, {window} FROM {silver} WHERE ingested_at > {{after:DateTime64(6, 'UTC')}}";
        var found = await gateway.QueryRowsAsync($"""
            SELECT count(), toUnixTimestamp(min(w)), toUnixTimestamp(max(w)) FROM
            (
                SELECT exchange, symbol, window_start AS w, sum(trade_count) AS counted FROM {settings.Table(minute.Table)}
                WHERE (exchange, symbol, window_start) IN ({touched})
                GROUP BY exchange, symbol, w
            ) AS c
            LEFT JOIN
            (
                SELECT exchange, symbol, {window} AS w, uniqExact(trade_id) AS trades FROM {silver}
                WHERE is_valid AND (exchange, symbol, {window}) IN ({touched})
                GROUP BY exchange, symbol, w
            ) AS s USING (exchange, symbol, w)
            WHERE counted != trades
            """, new Dictionary<string, string> { ["after"] = SqlTime.Parameter(ingestedAfter) }, cancellationToken).ConfigureAwait(false);
        var row = found.Single();
        if (row[0] == "0") { return null; }
        var from = DateTimeOffset.FromUnixTimeSeconds(long.Parse(row[1], CultureInfo.InvariantCulture));
        var to = DateTimeOffset.FromUnixTimeSeconds(long.Parse(row[2], CultureInfo.InvariantCulture)) + minute.Length;
        Log.RedeliveredCandlesFound(logger, long.Parse(row[0], CultureInfo.InvariantCulture), from, to);
        await RepairAsync(from, to, cancellationToken).ConfigureAwait(false);
        return (from, to);
    }

    /// <summary>
    /// Rebuilds, in every candle table, all windows that overlap [<paramref name="from"/>, <paramref name="to"/>). The
    /// rebuild is recorded in <see cref="HotTierMigrations.CandleRepairsTable"/> when it begins and when it ends: a process
    /// killed in between leaves windows deleted and not written again, and <see cref="FinishInterruptedAsync"/> runs it again.
    /// </summary>
    /// <returns>The number of candles written.</returns>
    public async Task<long> RepairAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        if (to <= from) { throw new ArgumentException($"--to ({to:O}) must be after --from ({from:O})", nameof(to)); }
        long written;
        await using (await HoldRebuildsAsync(cancellationToken).ConfigureAwait(false))
        {
            await RecordAsync(from, to, finished: false, cancellationToken).ConfigureAwait(false);
            written = await RebuildAsync(from, to, cancellationToken).ConfigureAwait(false);
            await RecordAsync(from, to, finished: true, cancellationToken).ConfigureAwait(false);
        }

        Log.CandlesRepaired(logger, from, to, written, CandleInterval.All.Count);
        return written;
    }

    /// <summary>
    /// Runs again every rebuild that began before <paramref name="begunBefore"/> and never recorded its end. Rebuilds begun
    /// later may still be under way (another process's <c>k2 ddl --repair-candles</c>): running one twice at once would
    /// count its windows twice.
    /// </summary>
    /// <returns>The rebuilds run again.</returns>
    public async Task<int> FinishInterruptedAsync(DateTimeOffset begunBefore, CancellationToken cancellationToken = default)
    {
        var rows = await gateway.QueryRowsAsync($"""
            SELECT toUnixTimestamp64Micro(range_from), toUnixTimestamp64Micro(range_to)
            FROM {settings.Table(HotTierMigrations.CandleRepairsTable)}
            GROUP BY range_from, range_to
            HAVING NOT argMax(finished, recorded_at) AND min(recorded_at) < {"{before:DateTime64(6, 'UTC')}"}
            ORDER BY range_from
            """, new Dictionary<string, string> { ["before"] = SqlTime.Parameter(begunBefore) }, cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            var from = Micros(row[0]);
            var to = Micros(row[1]);
            Log.InterruptedRepairResumed(logger, from, to);
            await RepairAsync(from, to, cancellationToken).ConfigureAwait(false);
        }

        return rows.Count;
    }

    internal Task RecordAsync(DateTimeOffset from, DateTimeOffset to, bool finished, CancellationToken cancellationToken) => gateway.ExecuteAsync(
        $"INSERT INTO {settings.Table(HotTierMigrations.CandleRepairsTable)} (range_from, range_to, finished) " +
        $"VALUES ({{from:DateTime64(6, 'UTC')}}, {{to:DateTime64(6, 'UTC')}}, {(finished ? "true" : "false")})",
        new Dictionary<string, string> { ["from"] = SqlTime.Parameter(from), ["to"] = SqlTime.Parameter(to) }, cancellationToken);

    private static DateTimeOffset Micros(string value) => DateTimeOffset.UnixEpoch.AddTicks(long.Parse(value, CultureInfo.InvariantCulture) * 10);

    /// <summary>
    /// Rebuilds with the Kafka consumers detached: a block the views wrote between a window's delete and its insert from
    /// silver would count twice (the windows of the longer intervals are still open and receive live trades). Detaching a
    /// queue table lets its current block finish and commit; its messages wait in the broker until it is attached again.
    /// A kill in between leaves the queue tables detached: <see cref="HotTierSchema.ApplyAsync"/> attaches them at the next start.
    /// </summary>
    private async Task<long> RebuildAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var queues = await gateway.QueryRowsAsync(
            "SELECT name FROM system.tables WHERE database = {db:String} AND engine = 'Kafka' ORDER BY name",
            new Dictionary<string, string> { ["db"] = settings.Database }, cancellationToken).ConfigureAwait(false);
        var detached = new List<string>();
        try
        {
            foreach (var queue in queues.Select(r => r[0]))
            {
                await gateway.ExecuteAsync($"DETACH TABLE {settings.Table(queue)}{settings.OnCluster}", cancellationToken: cancellationToken).ConfigureAwait(false);
                detached.Add(queue);
            }

            return await RebuildWindowsAsync(from, to, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Every queue is attached even when one attach fails: the other exchanges keep being consumed.
            ClickHouseGatewayException? failed = null;
            foreach (var queue in detached)
            {
                try
                {
                    await gateway.ExecuteAsync($"ATTACH TABLE {settings.Table(queue)}{settings.OnCluster}", cancellationToken: CancellationToken.None).ConfigureAwait(false);
                }
                catch (ClickHouseGatewayException ex)
                {
                    failed ??= ex;
                }
            }

            if (failed is not null) { throw failed; }
        }
    }

    private async Task<long> RebuildWindowsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        long written = 0;
        foreach (var interval in CandleInterval.All)
        {
            var windowFrom = interval.WindowStart(from);
            var windowTo = interval.WindowStart(to - TimeSpan.FromTicks(1)) + interval.Length;
            var range = new Dictionary<string, string> { ["from"] = SqlTime.Parameter(windowFrom), ["to"] = SqlTime.Parameter(windowTo) };
            await gateway.ExecuteAsync(
                $"ALTER TABLE {settings.Table(interval.Table)} DELETE WHERE window_start >= {{from:DateTime64(6, 'UTC')}} AND window_start < {{to:DateTime64(6, 'UTC')}} SETTINGS mutations_sync = 2",
                range, cancellationToken).ConfigureAwait(false);
            var deduplicated = $"""
                (
                    SELECT * FROM {settings.Table(HotTierMigrations.SilverTable)}
                    WHERE exchange_ts >= {"{from:DateTime64(6, 'UTC')}"} AND exchange_ts < {"{to:DateTime64(6, 'UTC')}"}
                    ORDER BY ingested_at
                    LIMIT 1 BY exchange, symbol, trade_id
                )
                """;
            await gateway.ExecuteAsync(
                $"INSERT INTO {settings.Table(interval.Table)} {HotTierMigrations.CandleStates(interval, deduplicated)}",
                range, cancellationToken).ConfigureAwait(false);
            var count = await gateway.QueryScalarAsync(
                $"SELECT count() FROM {settings.Table(interval.View)} WHERE window_start >= {{from:DateTime64(6, 'UTC')}} AND window_start < {{to:DateTime64(6, 'UTC')}}",
                range, cancellationToken).ConfigureAwait(false);
            written += long.Parse(count, CultureInfo.InvariantCulture);
        }

        return written;
    }
}
