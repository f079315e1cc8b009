using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using Microsoft.Extensions.Logging;

namespace K2.ClickHouse.Operations;

/// <summary>
/// Recomputes the candles of a time range from deduplicated silver. Materialized views add every
/// redelivered trade to the candles, and deleting it from silver later does not take it out again:
/// the repair deletes the affected windows and rebuilds them from one row per (exchange, symbol, trade id).
/// Run it on windows that no longer receive live trades, or a trade arriving mid-repair counts twice.
/// </summary>
public sealed class CandleRepair(IClickHouseGateway gateway, HotTierSettings settings, ILogger<CandleRepair> logger)
{
    /// <summary>Rebuilds, in every candle table, all windows that overlap [<paramref name="from"/>, <paramref name="to"/>).</summary>
    /// <returns>The number of candles written.</returns>
    public async Task<long> RepairAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        if (to <= from) { throw new ArgumentException($"--to ({to:O}) must be after --from ({from:O})", nameof(to)); }
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

        Log.CandlesRepaired(logger, from, to, written, CandleInterval.All.Count);
        return written;
    }
}
