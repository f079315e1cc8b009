using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Trades;

namespace K2.ClickHouse.Operations;

/// <summary>
/// Resume points from the hot tier: per symbol, the newest trade bronze holds. What bronze holds is what ingest
/// must neither lose nor publish twice, and it outlives the daemon in both modes; the embedded Kafka cluster does not
/// (its records die with the process), and in external mode the server keeps consuming while the daemon restarts.
/// </summary>
internal sealed class HotTierResumePoints(IClickHouseGateway gateway, HotTierSettings settings) : ITradeResumePoints
{
    public async Task<IReadOnlyList<TradeResumePoint>> NewestAsync(Exchange exchange, DateTimeOffset since, CancellationToken cancellationToken)
    {
        // Bronze is partitioned by ingestion day, so the horizon keeps the scan to the days it covers.
        var rows = await gateway.QueryRowsAsync(
            $$"""
            SELECT symbol, max(id), argMax(exchange_ts_us, id)
            FROM
            (
                SELECT symbol, toInt64OrNull(trade_id) AS id, exchange_ts_us
                FROM {{settings.Table(HotTierMigrations.BronzeTable(exchange))}}
                WHERE ingested_at >= {since:DateTime64(6, 'UTC')}
            )
            WHERE id IS NOT NULL
            GROUP BY symbol
            """,
            new Dictionary<string, string> { ["since"] = SqlTime.Parameter(since) }, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new TradeResumePoint(r[0], long.Parse(r[1], CultureInfo.InvariantCulture), long.Parse(r[2], CultureInfo.InvariantCulture))).ToList();
    }
}
