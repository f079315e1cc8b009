using System.Globalization;
using K2.ClickHouse.Schema;
using K2.Core.Trades;

namespace K2.Query.Reading;

/// <summary>What a candles query asks for: windows of one interval starting in [<c>FromMicros</c>, <c>ToMicros</c>).</summary>
internal sealed record CandleSelection(ResolvedSymbol Symbol, RequestedInterval Interval, long FromMicros, long ToMicros, long NowMicros);

/// <summary>
/// The SQL of a candles read. Stored candles come from the cold table pinned at a snapshot for windows before its
/// horizon, from the hot tier from the horizon on; a window before the horizon that a silver row ingested after the
/// snapshot's cut changed (a late trade whose window was already offloaded, not yet revised in the cold tier) is read
/// from the hot tier too. Any other interval is rolled up from the stored one: first open, last close, highest high,
/// lowest low, sums of volumes and counts.
/// </summary>
internal static class CandleSql
{
    private const string Horizon = "horizon";
    private const string Cut = "cut";

    /// <summary>The CSV header of <see cref="Projection"/>.</summary>
    public const string CsvHeader = "exchange,symbol,canonical_symbol,interval,window_start,window_start_us,open,high,low,close,volume,quote_volume,vwap,trade_count,buy_volume,sell_volume,closed,tier\n";

    public static string Projection(bool text) => text
        ? """
          exchange, symbol, canonical_symbol, {interval:String} AS `interval`,
          formatDateTime(w, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS window_start, toUnixTimestamp64Micro(w) AS window_start_us,
          toString(o) AS open, toString(h) AS high, toString(l) AS low, toString(c) AS close,
          toString(v) AS volume, toString(qv) AS quote_volume, toString(CAST(if(v = 0, 0, qv / v) AS Decimal(38, 18))) AS vwap,
          n AS trade_count, toString(bv) AS buy_volume, toString(sv) AS sell_volume,
          CAST(toUnixTimestamp64Micro(w) + {interval_us:Int64} <= {now_us:Int64} AS Bool) AS closed, tier
          """
        : """
          exchange, symbol, canonical_symbol, {interval:String} AS `interval`, w AS window_start, toUnixTimestamp64Micro(w) AS window_start_us,
          o AS open, h AS high, l AS low, c AS close, v AS volume, qv AS quote_volume, CAST(if(v = 0, 0, qv / v) AS Decimal(38, 18)) AS vwap,
          n AS trade_count, bv AS buy_volume, sv AS sell_volume,
          CAST(toUnixTimestamp64Micro(w) + {interval_us:Int64} <= {now_us:Int64} AS Bool) AS closed, tier
          """;

    public static string Select(string database, ColdPin pin, CandleSelection selection, string projection, Dictionary<string, string> parameters, int timeoutSeconds)
    {
        parameters["interval"] = selection.Interval.Name;
        parameters["interval_us"] = selection.Interval.Micros.ToString(CultureInfo.InvariantCulture);
        parameters["now_us"] = selection.NowMicros.ToString(CultureInfo.InvariantCulture);
        return $"""
            SELECT {projection}
            FROM ({Windows(database, pin, selection, parameters)})
            ORDER BY w, exchange
            {TradeSql.Settings(pin, timeoutSeconds)}
            """;
    }

    /// <summary>Candles per tier of the same selection (Parquet and Arrow answers are counted this way).</summary>
    public static string CountByTier(string database, ColdPin pin, CandleSelection selection, Dictionary<string, string> parameters, int timeoutSeconds) => $"""
        SELECT countIf(tier = 'cold'), countIf(tier = 'hot'), countIf(tier = 'mixed')
        FROM ({Windows(database, pin, selection, parameters)})
        {TradeSql.Settings(pin, timeoutSeconds)}
        """;

    private static string Windows(string database, ColdPin pin, CandleSelection selection, Dictionary<string, string> parameters)
    {
        var stored = Stored(database, pin, selection, parameters);
        if (selection.Interval.IsStored) { return stored; }
        parameters["rollup_s"] = selection.Interval.Seconds.ToString(CultureInfo.InvariantCulture);
        return $"""
            SELECT exchange, symbol, canonical_symbol, rw AS w, ro AS o, rh AS h, rl AS l, rc AS c, rv AS v, rqv AS qv, rn AS n, rbv AS bv, rsv AS sv, rtier AS tier
            FROM
            (
                SELECT exchange, symbol, canonical_symbol,
                    toDateTime64(intDiv(toUnixTimestamp64Micro(w), 1000000 * {"{rollup_s:Int64}"}) * {"{rollup_s:Int64}"}, 6, 'UTC') AS rw,
                    argMin(o, w) AS ro, max(h) AS rh, min(l) AS rl, argMax(c, w) AS rc,
                    sum(v) AS rv, sum(qv) AS rqv, sum(n) AS rn, sum(bv) AS rbv, sum(sv) AS rsv,
                    if(uniqExact(tier) = 1, any(tier), 'mixed') AS rtier
                FROM ({stored})
                GROUP BY exchange, symbol, canonical_symbol, rw
            )
            """;
    }

    private static string Stored(string database, ColdPin pin, CandleSelection selection, Dictionary<string, string> parameters)
    {
        var interval = selection.Interval.Source;
        parameters["canonical"] = selection.Symbol.Canonical;
        parameters["from_us"] = selection.FromMicros.ToString(CultureInfo.InvariantCulture);
        parameters["to_us"] = selection.ToMicros.ToString(CultureInfo.InvariantCulture);
        var exchanges = new List<string>();
        foreach (var (exchange, i) in selection.Symbol.Exchanges.Select((e, i) => (e, i)))
        {
            parameters[$"exchange{i}"] = exchange.ToWire();
            exchanges.Add($"{{exchange{i}:String}}");
        }

        var filter = $"""
            canonical_symbol = {"{canonical:String}"} AND exchange IN ({string.Join(", ", exchanges)})
              AND window_start >= fromUnixTimestamp64Micro({"{from_us:Int64}"}, 'UTC') AND window_start < fromUnixTimestamp64Micro({"{to_us:Int64}"}, 'UTC')
            """;
        const string columns = """
            exchange, symbol, canonical_symbol, toDateTime64(window_start, 6, 'UTC') AS w,
            CAST(open AS Decimal(38, 18)) AS o, CAST(high AS Decimal(38, 18)) AS h, CAST(low AS Decimal(38, 18)) AS l, CAST(close AS Decimal(38, 18)) AS c,
            CAST(volume AS Decimal(38, 18)) AS v, CAST(quote_volume AS Decimal(76, 36)) AS qv, toUInt64(trade_count) AS n,
            CAST(buy_volume AS Decimal(38, 18)) AS bv, CAST(sell_volume AS Decimal(38, 18)) AS sv
            """;
        var hot = $"SELECT {columns}, 'hot' AS tier FROM {database}.{interval.View} WHERE {filter}";
        var horizon = pin.Watermark.Of(Horizon, 0);
        if (!pin.HasRows || horizon <= selection.FromMicros) { return hot; }

        // Windows before the horizon changed since the snapshot's cut: a silver row ingested after it falls into them.
        parameters["horizon_us"] = horizon.ToString(CultureInfo.InvariantCulture);
        parameters["cut_us"] = pin.Watermark.Of(Cut, 0).ToString(CultureInfo.InvariantCulture);
        var revised = $"""
            SELECT DISTINCT exchange, symbol, toDateTime64(toStartOfInterval(exchange_ts, INTERVAL {interval.SqlInterval}, 'UTC'), 6, 'UTC')
            FROM {database}.{HotTierMigrations.SilverTable}
            WHERE is_valid AND canonical_symbol = {"{canonical:String}"} AND exchange IN ({string.Join(", ", exchanges)})
              AND exchange_ts >= fromUnixTimestamp64Micro({"{from_us:Int64}"}, 'UTC') AND exchange_ts < fromUnixTimestamp64Micro({"{horizon_us:Int64}"}, 'UTC')
              AND ingested_at > fromUnixTimestamp64Micro({"{cut_us:Int64}"}, 'UTC')
            """;
        return $"""
            SELECT {columns}, 'cold' AS tier FROM {pin.Source}
            WHERE {filter} AND window_start < fromUnixTimestamp64Micro({"{horizon_us:Int64}"}, 'UTC')
              AND (exchange, symbol, toDateTime64(window_start, 6, 'UTC')) NOT IN ({revised})
            UNION ALL
            SELECT * FROM ({hot})
            WHERE w >= fromUnixTimestamp64Micro({"{horizon_us:Int64}"}, 'UTC') OR (exchange, symbol, w) IN ({revised})
            """;
    }
}
