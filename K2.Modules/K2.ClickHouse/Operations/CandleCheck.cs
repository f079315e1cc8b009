using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Health;
using K2.ClickHouse.Schema;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.ClickHouse.Operations;

/// <summary>
/// Keeps the hot candles equal to silver. Candles are built by materialized views as blocks are inserted, so two faults
/// leave them wrong while silver is right: the Kafka engine redelivering a block whose offsets it could not commit (a
/// broker outage: the block's trades count twice), and the process killed between writing a block to silver and to the
/// candle tables (its trades count nowhere). Every <see cref="CandleCheckOptions.IntervalSeconds"/> this compares each
/// closed minute of the last <see cref="CandleCheckOptions.WindowMinutes"/> — trades counted in the one-minute candles
/// against distinct valid trades in silver, per exchange and symbol — and rebuilds every candle table's windows over a
/// minute that differs (<see cref="CandleRepair"/>), before the offload freezes them into the cold tier. A minute is
/// rebuilt only when it differed the same way in two checks running: one that differs because a block is between silver
/// and the candle tables at that moment changes by the next check, and rebuilding it then would count the block twice.
/// </summary>
internal sealed class CandleCheck(
    IClickHouseGateway gateway, HotTierSettings settings, HotTierHealth health, CandleRepair repair, ClickHouseOptions options, TimeProvider clock, ILogger<CandleCheck> logger)
    : BackgroundService
{
    private static readonly CandleInterval Minute = CandleInterval.All[0];
    private IReadOnlyDictionary<DateTimeOffset, string> _differedBefore = new Dictionary<DateTimeOffset, string>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Against the server's clock, which records the rebuilds: the injected clock only places the checked minutes.
        var started = DateTimeOffset.UtcNow;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.CandleCheck.IntervalSeconds), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (health.SchemaProblem is not null) { continue; }
            try
            {
                // A rebuild a kill cut left windows deleted in tables the one-minute comparison below does not look at.
                await repair.FinishInterruptedAsync(started, CancellationToken.None).ConfigureAwait(false);
                var differing = await DifferingMinutesAsync(stoppingToken).ConfigureAwait(false);
                var settled = differing.Where(d => _differedBefore.GetValueOrDefault(d.Key) == d.Value).Select(d => d.Key).ToList();
                _differedBefore = differing;
                if (settled.Count > 0)
                {
                    foreach (var window in settled) { Log.CandlesDiffered(logger, window); }
                    CandleCheckMetrics.Repaired.Inc(settled.Count);

                    // One rebuild over them all: the larger windows they share are rebuilt once. Not cancelled by a stop: a
                    // rebuild cut between deleting windows and writing them again would leave them empty.
                    await repair.RepairAsync(settled.Min(), settled.Max() + Minute.Length, CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (ClickHouseGatewayException ex)
            {
                Log.CandleCheckFailed(logger, ex);
            }
        }
    }

    /// <summary>
    /// Closed minutes of the checked span whose one-minute candles count other trades than silver holds, each with what
    /// differed (trades counted and held, per exchange and symbol).
    /// </summary>
    internal async Task<IReadOnlyDictionary<DateTimeOffset, string>> DifferingMinutesAsync(CancellationToken cancellationToken)
    {
        var closed = Minute.WindowStart(clock.GetUtcNow());
        var range = new Dictionary<string, string>
        {
            ["from"] = SqlTime.Parameter(closed - TimeSpan.FromMinutes(options.CandleCheck.WindowMinutes)),
            ["to"] = SqlTime.Parameter(closed),
        };
        var rows = await gateway.QueryRowsAsync($"""
            SELECT toUnixTimestamp(window), toString(groupArray((exchange, symbol, counted, distinct_trades))) FROM
            (
                SELECT exchange, symbol, window_start AS window, sum(trade_count) AS counted
                FROM {settings.Table(Minute.Table)}
                WHERE window_start >= {"{from:DateTime64(6, 'UTC')}"} AND window_start < {"{to:DateTime64(6, 'UTC')}"}
                GROUP BY exchange, symbol, window
            ) AS c
            FULL OUTER JOIN
            (
                SELECT exchange, symbol, toDateTime(toStartOfMinute(exchange_ts), 'UTC') AS window, uniqExact(trade_id) AS distinct_trades
                FROM {settings.Table(HotTierMigrations.SilverTable)}
                WHERE is_valid AND exchange_ts >= {"{from:DateTime64(6, 'UTC')}"} AND exchange_ts < {"{to:DateTime64(6, 'UTC')}"}
                GROUP BY exchange, symbol, window
            ) AS s USING (exchange, symbol, window)
            WHERE counted != distinct_trades
            GROUP BY window
            ORDER BY window
            """, range, cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => DateTimeOffset.FromUnixTimeSeconds(long.Parse(r[0], CultureInfo.InvariantCulture)), r => r[1]);
    }
}

internal static class CandleCheckMetrics
{
    public static readonly Prometheus.Counter Repaired = Prometheus.Metrics.CreateCounter(
        "k2_clickhouse_candle_minutes_repaired_total", "Minutes whose hot candles counted other trades than silver holds (a redelivered block, a kill mid-insert), rebuilt from silver.");
}
