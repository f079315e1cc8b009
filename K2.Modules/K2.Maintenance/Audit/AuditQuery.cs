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

    /// <summary>Which figures a row carries besides its count.</summary>
    public static string FiguresName(ColdTable table) =>
        table.Layer == ColdLayer.Gold ? "Σopen|Σhigh|Σlow|Σclose|Σvolume|Σtrade_count" : "min_trade_id|max_trade_id|Σprice×quantity";

    private static string Build(ColdTable table, string source, string time, DateTimeOffset from, DateTimeOffset to) => $"""
        SELECT exchange, symbol, toUnixTimestamp(toStartOfHour({time})) AS hour, count() AS row_count, {Figures(table)} AS figures
        FROM {source}
        WHERE {time} >= toDateTime64('{from.UtcDateTime:yyyy-MM-dd HH:mm:ss}', 6, 'UTC') AND {time} < toDateTime64('{to.UtcDateTime:yyyy-MM-dd HH:mm:ss}', 6, 'UTC')
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
}
