using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Trades;

namespace K2.ClickHouse.Operations;

/// <summary>
/// One table-hour holding duplicates: for bronze and silver, rows beyond one per trade; for candle
/// tables, trades counted beyond the distinct valid trades of silver in that hour (what the repair fixes).
/// </summary>
public sealed record DuplicateHour(string Table, DateTimeOffset Hour, long Counted, long Distinct)
{
    public long Duplicates => Counted - Distinct;
}

/// <summary>Finds redelivered trades per table and hour (the Kafka engine delivers at least once).</summary>
public sealed class DuplicateReport(IClickHouseGateway gateway, HotTierSettings settings)
{
    public async Task<IReadOnlyList<DuplicateHour>> FindAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var range = new Dictionary<string, string> { ["from"] = SqlTime.Parameter(from), ["to"] = SqlTime.Parameter(to) };
        var perTable = ExchangeNames.All.Select(e => $"""
                SELECT '{HotTierMigrations.BronzeTable(e)}' AS table, toStartOfHour(fromUnixTimestamp64Micro(exchange_ts_us, 'UTC')) AS hour,
                    count() AS counted, uniqExact(symbol, trade_id) AS distinct_trades
                FROM {settings.Table(HotTierMigrations.BronzeTable(e))}
                WHERE exchange_ts_us >= toUnixTimestamp64Micro({From}) AND exchange_ts_us < toUnixTimestamp64Micro({To})
                GROUP BY hour
                """)
            .Append($"""
                SELECT '{HotTierMigrations.SilverTable}' AS table, toStartOfHour(exchange_ts) AS hour,
                    count() AS counted, uniqExact(exchange, symbol, trade_id) AS distinct_trades
                FROM {settings.Table(HotTierMigrations.SilverTable)}
                WHERE exchange_ts >= {From} AND exchange_ts < {To}
                GROUP BY hour
                """)
            .Concat(CandleInterval.All.Select(i => $"""
                SELECT '{i.Table}' AS table, hour, counted, distinct_trades
                FROM
                (
                    SELECT toStartOfHour(window_start) AS hour, sum(trade_count) AS counted
                    FROM {settings.Table(i.Table)}
                    WHERE window_start >= toStartOfInterval({From}, INTERVAL {i.SqlInterval}, 'UTC') AND window_start < {To}
                    GROUP BY hour
                ) AS c
                LEFT JOIN
                (
                    SELECT toStartOfHour(toStartOfInterval(exchange_ts, INTERVAL {i.SqlInterval}, 'UTC')) AS hour, uniqExact(exchange, symbol, trade_id) AS distinct_trades
                    FROM {settings.Table(HotTierMigrations.SilverTable)}
                    WHERE is_valid AND exchange_ts >= toStartOfInterval({From}, INTERVAL {i.SqlInterval}, 'UTC') AND exchange_ts < {To}
                    GROUP BY hour
                ) AS s USING hour
                """));
        var rows = await gateway.QueryRowsAsync(
            $"SELECT table, toUnixTimestamp(hour), counted, distinct_trades FROM ({string.Join("\nUNION ALL\n", perTable)}) WHERE counted != distinct_trades ORDER BY table, hour",
            range, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new DuplicateHour(
            r[0],
            DateTimeOffset.FromUnixTimeSeconds(long.Parse(r[1], CultureInfo.InvariantCulture)),
            long.Parse(r[2], CultureInfo.InvariantCulture),
            long.Parse(r[3], CultureInfo.InvariantCulture))).ToList();
    }

    private const string From = "{from:DateTime64(6, 'UTC')}";
    private const string To = "{to:DateTime64(6, 'UTC')}";
}
