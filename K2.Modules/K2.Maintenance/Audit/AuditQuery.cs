using K2.ClickHouse.Schema;
using K2.Offload.Tables;

namespace K2.Maintenance.Audit;

/// <summary>
/// The per-(exchange, symbol, hour) figures of one table, as one SQL text for the hot table and one for the cold table
/// read by ClickHouse's own Iceberg reader. Both sides compute the same expressions, exactly (decimals as Decimal256).
/// </summary>
internal static class AuditQuery
{
    public static string Hot(ColdTable table, HotTierSettings hot, DateTimeOffset from, DateTimeOffset to) =>
        Build(table, $"{hot.Table(table.HotTable)}{(table.Layer == ColdLayer.Silver ? " FINAL" : "")}",
            table.Layer == ColdLayer.Bronze ? $"fromUnixTimestamp64Micro({table.TimeColumn}, 'UTC')" : table.TimeColumn, from, to);

    public static string Cold(ColdTable table, string coldSource, DateTimeOffset from, DateTimeOffset to) =>
        Build(table, coldSource, table.TimeColumn, from, to);

    /// <summary>
    /// The candles of <paramref name="gold"/>'s interval recomputed from cold silver (<paramref name="silverSource"/>) as the
    /// hot views compute them — each trade once, since cold silver holds one row per trade — in the figures of the cold
    /// candle table: a cold candle inflated by a redelivered block (or wrong in any other way) no longer passes as "ok".
    /// </summary>
    public static string CandlesFromSilver(ColdTable gold, string silverSource, DateTimeOffset from, DateTimeOffset to)
    {
        var interval = gold.Interval ?? throw new ArgumentException($"{gold.Name} is not a candle table", nameof(gold));
        var order = "(exchange_ts, length(trade_id), trade_id)";
        var candles = $"""
            (SELECT exchange, symbol, toDateTime64(toStartOfInterval(exchange_ts, INTERVAL {interval.SqlInterval}, 'UTC'), 6, 'UTC') AS window_start,
                argMin(price, {order}) AS open, max(price) AS high, min(price) AS low, argMax(price, {order}) AS close,
                sum(quantity) AS volume, count() AS trade_count
            FROM {silverSource}
            WHERE is_valid AND exchange_ts >= {Time(from)} AND exchange_ts < {Time(to)} + INTERVAL {interval.SqlInterval}
            GROUP BY exchange, symbol, window_start)
            """;
        return Build(gold, candles, "window_start", from, to);
    }

    /// <summary>Which figures a row carries besides its count.</summary>
    public static string FiguresName(ColdTable table) =>
        table.Layer == ColdLayer.Gold ? "Σopen|Σhigh|Σlow|Σclose|Σvolume|Σtrade_count" : "min_trade_id|max_trade_id|Σprice×quantity";

    private static string Build(ColdTable table, string source, string time, DateTimeOffset from, DateTimeOffset to) => $"""
        SELECT exchange, symbol, toUnixTimestamp(toStartOfHour({time})) AS hour, count() AS row_count, {Figures(table)} AS figures
        FROM {source}
        WHERE {time} >= {Time(from)} AND {time} < {Time(to)}
        GROUP BY exchange, symbol, hour
        ORDER BY exchange, symbol, hour
        """;

    private static string Figures(ColdTable table) => table.Layer switch
    {
        ColdLayer.Gold => "concat(" + string.Join(", '|', ",
            new[] { "open", "high", "low", "close", "volume" }.Select(c => $"toString(sum(toDecimal256({c}, 18)))").Append("toString(sum(trade_count))")) + ")",
        ColdLayer.Bronze => Trades("toDecimal256OrZero(price, 18)", "toDecimal256OrZero(quantity, 18)"),
        _ => Trades("toDecimal256(price, 18)", "toDecimal256(quantity, 18)"),
    };

    private static string Trades(string price, string quantity) =>
        $"concat(min(trade_id), '|', max(trade_id), '|', toString(sum({price} * {quantity})))";

    private static string Time(DateTimeOffset time) => $"toDateTime64('{time.UtcDateTime:yyyy-MM-dd HH:mm:ss}', 6, 'UTC')";
}
