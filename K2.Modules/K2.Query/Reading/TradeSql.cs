using System.Globalization;
using System.Text;
using K2.ClickHouse.Schema;
using K2.Core.Trades;

namespace K2.Query.Reading;

/// <summary>A position in the trade order (exchange time, exchange, trade id with shorter ids first, so numeric ids sort numerically).</summary>
internal readonly record struct TradeKey(long ExchangeTsMicros, string Exchange, string TradeId)
{
    /// <summary>The position before every trade of <paramref name="exchangeTsMicros"/> and after every earlier one.</summary>
    public static TradeKey Before(long exchangeTsMicros) => new(exchangeTsMicros, "", "");

    /// <summary>No trade has an empty exchange and id: this key is a boundary in exchange time alone (<see cref="Before"/>).</summary>
    public bool IsTimeBoundary => Exchange.Length == 0 && TradeId.Length == 0;
}

/// <summary>
/// What a trades query asks for: one symbol, a time range, a page of it. Without <paramref name="ReadsCold"/> the pinned
/// snapshot is known to hold none of the selected trades, and only the hot tier is read.
/// </summary>
internal sealed record TradeSelection(ResolvedSymbol Symbol, long FromMicros, long ToMicros, TradeKey? After = null, TradeKey? UpTo = null, int? Limit = null,
    bool ReadsCold = true);

/// <summary>
/// The SQL of a trades read, exactly once over both tiers: cold rows are the pinned snapshot's; hot rows are silver rows
/// above the snapshot's watermark (per Kafka topic/partition), one per trade key (silver read with FINAL: ReplacingMergeTree
/// merges copies in key order as it reads, with no sort of the whole range), minus trades the snapshot already holds (a trade published again at a new offset after its first copy was
/// offloaded). Every value reaches ClickHouse as a <c>{name:Type}</c> parameter.
/// </summary>
internal static class TradeSql
{
    public const string Order = "ts, exchange, length(trade_id), trade_id";

    /// <summary>The public columns, as text (JSON, NDJSON, CSV) or typed (Parquet, Arrow).</summary>
    public static string Projection(bool text) => text
        ? """
          exchange, symbol, canonical_symbol, trade_id, toString(px) AS price, toString(qty) AS quantity, side,
          formatDateTime(ts, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS exchange_ts, toUnixTimestamp64Micro(ts) AS exchange_ts_us,
          formatDateTime(rts, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS receive_ts, toUnixTimestamp64Micro(rts) AS receive_ts_us, tier
          """
        : """
          exchange, symbol, canonical_symbol, trade_id, px AS price, qty AS quantity, side,
          ts AS exchange_ts, toUnixTimestamp64Micro(ts) AS exchange_ts_us, rts AS receive_ts, toUnixTimestamp64Micro(rts) AS receive_ts_us, tier
          """;

    /// <summary>The CSV header of <see cref="Projection"/>.</summary>
    public const string CsvHeader = "exchange,symbol,canonical_symbol,trade_id,price,quantity,side,exchange_ts,exchange_ts_us,receive_ts,receive_ts_us,tier\n";

    /// <summary>The text columns and each trade's Kafka position, which the live stream's seam needs.</summary>
    public static string ProjectionWithPosition => Projection(text: true) + ", kafka_topic, kafka_partition, kafka_offset";

    /// <summary>The selected trades in order, with <paramref name="projection"/> over the merged columns.</summary>
    public static string Select(string database, ColdPin pin, TradeSelection selection, string projection, Dictionary<string, string> parameters, int timeoutSeconds) =>
        $"""
        SELECT {projection}
        FROM ({Merged(database, pin, selection, parameters)})
        ORDER BY {Order}{Limit(selection, parameters)}
        {Settings(pin, timeoutSeconds)}
        """;

    /// <summary>
    /// The first <c>Limit</c> trades by exchange time alone, and all others of the last one's exchange time (reads only the
    /// times and tiers, and sorts the times): one JSONCompactEachRow row <c>[rows, cold, last exchange_ts_us, rows at it,
    /// cold rows at it]</c>. Without <paramref name="deduplicate"/> a trade held by both tiers counts twice: exact whenever
    /// the rows found are of one tier.
    /// </summary>
    public static string TimeProbe(string database, ColdPin pin, TradeSelection selection, bool deduplicate, Dictionary<string, string> parameters, int timeoutSeconds) =>
        $"""
        SELECT count(), countIf(tier = 'cold'), toUnixTimestamp64Micro(max(ts)), countArgMax(ts), countIfArgMax(tier = 'cold', ts)
        FROM (SELECT ts, tier FROM ({Merged(database, pin, selection, parameters, deduplicate)}) ORDER BY ts{Limit(selection, parameters)} WITH TIES)
        {Settings(pin, timeoutSeconds)}, output_format_json_quote_64bit_integers = 0
        """;

    /// <summary>
    /// Rows, cold rows and the last key of the page <see cref="Select"/> would return (reads the key columns only), as one
    /// JSONCompactEachRow row <c>[rows, cold, exchange_ts_us, exchange, trade_id]</c>. Without <paramref name="deduplicate"/>
    /// a trade held by both tiers counts twice: exact whenever the rows found are of one tier.
    /// </summary>
    public static string Probe(string database, ColdPin pin, TradeSelection selection, bool deduplicate, Dictionary<string, string> parameters, int timeoutSeconds) =>
        $"""
        SELECT count(), countIf(tier = 'cold'), toUnixTimestamp64Micro(max(k).1), max(k).2, max(k).4
        FROM (SELECT ({Order}) AS k, tier FROM ({Merged(database, pin, selection, parameters, deduplicate)}) ORDER BY {Order}{Limit(selection, parameters)})
        {Settings(pin, timeoutSeconds)}, output_format_json_quote_64bit_integers = 0
        """;

    private static string Limit(TradeSelection selection, Dictionary<string, string> parameters)
    {
        if (selection.Limit is not { } limit) { return ""; }
        parameters["page_rows"] = limit.ToString(CultureInfo.InvariantCulture);
        return " LIMIT {page_rows:UInt64}";
    }

    public static string Settings(ColdPin pin, int timeoutSeconds) =>
        string.Create(CultureInfo.InvariantCulture, $"SETTINGS max_execution_time = {timeoutSeconds}{(pin.HasRows ? $", iceberg_snapshot_id = {pin.SnapshotId}" : "")}");

    private static string Merged(string database, ColdPin pin, TradeSelection selection, Dictionary<string, string> parameters, bool deduplicate = true)
    {
        var filter = Filter(selection, parameters);
        var columns = "exchange, symbol, canonical_symbol, trade_id, CAST(price AS Decimal(38, 18)) AS px, CAST(quantity AS Decimal(38, 18)) AS qty, side, exchange_ts AS ts, receive_ts AS rts, kafka_topic, kafka_partition, kafka_offset";
        parameters["above"] = Above(pin);
        const string above = "kafka_offset >= {above:Map(String, Int64)}[concat(kafka_topic, '/', toString(kafka_partition))]";
        var hot = $"""
            SELECT {columns}, 'hot' AS tier
            FROM {database}.{HotTierMigrations.SilverTable} FINAL
            WHERE {filter} AND {above}
            """;
        var rows = new StringBuilder();
        var cold = pin.HasRows && selection.ReadsCold;
        if (cold)
        {
            rows.Append(CultureInfo.InvariantCulture, $"SELECT {columns}, 'cold' AS tier FROM {pin.Source} WHERE {filter}\nUNION ALL\n");
        }

        if (cold && deduplicate)
        {
            // A trade published again at a new offset shares its exchange time with the copy the snapshot holds, so only cold
            // rows within the hot rows' time span can repeat one: the set of their keys stays small when hot and cold hold
            // different times, as they do but for late trades.
            hot = $"WITH (SELECT (min(exchange_ts), max(exchange_ts)) FROM {database}.{HotTierMigrations.SilverTable} WHERE {filter} AND {above}) AS hot_span\n" + hot;
            hot += $"""

                  AND (exchange, symbol, trade_id) NOT IN
                  (
                      SELECT exchange, symbol, trade_id FROM {pin.Source}
                      WHERE {filter} AND exchange_ts BETWEEN hot_span.1 AND hot_span.2
                  )
                """;
        }

        rows.Append(hot);
        // A time boundary is the time filter's own bound (Filter): no key to compare.
        var bounds = new List<string>();
        if (selection.After is { IsTimeBoundary: false } after) { bounds.Add($"({Order}) > {Key("after", after, parameters)}"); }
        if (selection.UpTo is { IsTimeBoundary: false } upTo) { bounds.Add($"({Order}) <= {Key("upto", upTo, parameters)}"); }
        return bounds.Count == 0 ? rows.ToString() : $"SELECT * FROM ({rows}) WHERE {string.Join(" AND ", bounds)}";
    }

    // The first offset not yet offloaded per "topic/partition"; a stream the watermark does not name starts at 0.
    private static string Above(ColdPin pin) =>
        "{" + string.Join(",", pin.Watermark.Positions.Select(p => string.Create(CultureInfo.InvariantCulture, $"'{Escape(p.Key)}':{p.Value + 1}"))) + "}";

    private static string Filter(TradeSelection selection, Dictionary<string, string> parameters)
    {
        parameters["canonical"] = selection.Symbol.Canonical;
        parameters["from_us"] = selection.FromMicros.ToString(CultureInfo.InvariantCulture);
        var exchanges = new List<string>();
        foreach (var (exchange, i) in selection.Symbol.Exchanges.Select((e, i) => (e, i)))
        {
            parameters[$"exchange{i}"] = exchange.ToWire();
            exchanges.Add($"{{exchange{i}:String}}");
        }

        // The page's first and last keys bound the time range too, so ClickHouse prunes the partitions, files and row groups
        // outside the page.
        var from = selection.After is { } after ? Math.Max(after.ExchangeTsMicros, selection.FromMicros) : selection.FromMicros;
        var to = selection.UpTo is { } upTo ? Math.Min(upTo.ExchangeTsMicros + (upTo.IsTimeBoundary ? 0 : 1), selection.ToMicros) : selection.ToMicros;
        parameters["scan_from_us"] = from.ToString(CultureInfo.InvariantCulture);
        parameters["scan_to_us"] = to.ToString(CultureInfo.InvariantCulture);
        return $"""
            is_valid AND canonical_symbol = {"{canonical:String}"} AND exchange IN ({string.Join(", ", exchanges)})
              AND exchange_ts >= fromUnixTimestamp64Micro({"{scan_from_us:Int64}"}, 'UTC') AND exchange_ts < fromUnixTimestamp64Micro({"{scan_to_us:Int64}"}, 'UTC')
            """;
    }

    private static string Key(string name, TradeKey key, Dictionary<string, string> parameters)
    {
        parameters[$"{name}_ts"] = key.ExchangeTsMicros.ToString(CultureInfo.InvariantCulture);
        parameters[$"{name}_exchange"] = key.Exchange;
        parameters[$"{name}_id"] = key.TradeId;
        return $"(fromUnixTimestamp64Micro({{{name}_ts:Int64}}, 'UTC'), {{{name}_exchange:String}}, length({{{name}_id:String}}), {{{name}_id:String}})";
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal);
}
