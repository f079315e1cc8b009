using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Trades;

namespace K2.ClickHouse.Operations;

/// <summary>
/// Resume points from the hot tier: per symbol, the newest trade bronze holds, and the ids missing below it. What bronze
/// holds is what ingest must neither lose nor publish twice, and it outlives the daemon in both modes; the embedded Kafka
/// cluster does not (its records die with the process), and in external mode the server keeps consuming while the
/// daemon restarts. Bronze is partitioned by ingestion day, so bounding both queries by ingestion time keeps them to the
/// days the horizon covers.
/// </summary>
internal sealed class HotTierResumePoints(IClickHouseGateway gateway, HotTierSettings settings) : ITradeResumePoints
{
    public async Task<IReadOnlyList<TradeResumePoint>> NewestAsync(Exchange exchange, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var rows = await gateway.QueryRowsAsync(
            $"""
            SELECT symbol, max(id), argMax(exchange_ts_us, id)
            FROM ({StoredIds(exchange)})
            GROUP BY symbol
            """,
            Since(since), cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new TradeResumePoint(r[0], Number(r[1]), Number(r[2]))).ToList();
    }

    public async Task<IReadOnlyList<StoredTradeHole>> HolesAsync(Exchange exchange, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var rows = await gateway.QueryRowsAsync(
            $"""
            SELECT symbol, previous_id + 1, id - 1, previous_ts, exchange_ts_us
            FROM
            (
                SELECT symbol, id, exchange_ts_us,
                    lagInFrame(id) OVER neighbours AS previous_id,
                    lagInFrame(exchange_ts_us) OVER neighbours AS previous_ts,
                    row_number() OVER neighbours AS position
                FROM ({StoredIds(exchange)})
                WINDOW neighbours AS (PARTITION BY symbol ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
            )
            WHERE position > 1 AND id > previous_id + 1
            ORDER BY symbol, id
            """,
            Since(since), cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new StoredTradeHole(r[0], Number(r[1]), Number(r[2]), Number(r[3]), Number(r[4]))).ToList();
    }

    private string StoredIds(Exchange exchange) => $$"""
        SELECT symbol, assumeNotNull(toInt64OrNull(trade_id)) AS id, exchange_ts_us
        FROM {{settings.Table(HotTierMigrations.BronzeTable(exchange))}}
        WHERE ingested_at >= {since:DateTime64(6, 'UTC')} AND toInt64OrNull(trade_id) IS NOT NULL
        """;

    private static Dictionary<string, string> Since(DateTimeOffset since) => new() { ["since"] = SqlTime.Parameter(since) };

    private static long Number(string text) => long.Parse(text, CultureInfo.InvariantCulture);
}
