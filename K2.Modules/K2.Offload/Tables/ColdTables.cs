using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Iceberg.Spec;

namespace K2.Offload.Tables;

/// <summary>
/// The ten cold tables (docs/offload.md): <c>cold.bronze_trades_&lt;exchange&gt;</c>, <c>cold.silver_trades</c> and
/// <c>cold.gold_ohlcv_&lt;interval&gt;</c>, each with every column of its hot source. Time partitions are months (years
/// for daily candles), never days: a table keeps one partition spec, so one manifest, for life, and readers find a day by
/// the time bounds each file's manifest entry carries (maintenance keeps a day's files together until its month is packed).
/// </summary>
public static class ColdTables
{
    public const string Namespace = "cold";

    /// <summary>Bronze and silver rows spread over this many symbol buckets per month: symbol queries read a quarter of the files of their days.</summary>
    public const int SymbolBuckets = 4;

    public static readonly IReadOnlyList<ColdTable> Bronze = [.. ExchangeNames.All.Select(BronzeOf)];

    public static readonly ColdTable Silver = SilverTable();

    public static readonly IReadOnlyList<ColdTable> Gold = [.. CandleInterval.All.Select(GoldOf)];

    /// <summary>All ten, in offload order: bronze, silver, gold.</summary>
    public static readonly IReadOnlyList<ColdTable> All = [.. Bronze, Silver, .. Gold];

    public static ColdTable? Find(string name) =>
        All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)
            || string.Equals($"{Namespace}.{t.Name}", name, StringComparison.OrdinalIgnoreCase));

    private static ColdTable BronzeOf(Exchange exchange) => new(
        $"bronze_trades_{exchange.ToWire()}",
        ColdLayer.Bronze,
        HotTierMigrations.BronzeTable(exchange),
        [
            new("schema_version", WireKind.Int32, "toInt32(schema_version)"),
            ColdColumn.Text("exchange"),
            ColdColumn.Text("symbol"),
            ColdColumn.Text("canonical_symbol"),
            ColdColumn.Text("trade_id"),
            ColdColumn.Text("price"),
            ColdColumn.Text("quantity"),
            ColdColumn.Text("side"),
            new("exchange_ts_us", WireKind.Micros, "exchange_ts_us"),
            new("receive_ts_us", WireKind.Micros, "receive_ts_us"),
            new("raw_side", WireKind.NullableString, "raw_side"),
            new("is_buyer_maker", WireKind.NullableBool, "is_buyer_maker"),
            new("sequence_number", WireKind.NullableInt64, "sequence_number"),
            new("order_type", WireKind.NullableString, "order_type"),
            new("event_ts_us", WireKind.NullableMicros, "event_ts_us"),
            ColdColumn.Flag("is_snapshot"),
            ColdColumn.Text("kafka_topic"),
            ColdColumn.Long("kafka_partition"),
            ColdColumn.Long("kafka_offset"),
            ColdColumn.Time("ingested_at"),
        ],
        TimeColumn: "exchange_ts_us",
        SelectionKey: ["kafka_topic", "kafka_partition", "kafka_offset"],
        AuditKey: ["kafka_topic", "kafka_partition", "kafka_offset"],
        SortColumns: ["symbol", "exchange_ts_us", "trade_id"],
        Partitioning: schema => MonthAndSymbolBucket(schema, "exchange_ts_us", "symbol"),
        Exchange: exchange);

    private static ColdTable SilverTable() => new(
        "silver_trades",
        ColdLayer.Silver,
        HotTierMigrations.SilverTable,
        [
            ColdColumn.Text("exchange"),
            ColdColumn.Text("symbol"),
            ColdColumn.Text("canonical_symbol"),
            ColdColumn.Text("trade_id"),
            ColdColumn.Exact("price"),
            ColdColumn.Exact("quantity"),
            ColdColumn.Product("quote_volume", "price", "quantity"),
            ColdColumn.Text("side"),
            ColdColumn.Time("exchange_ts"),
            ColdColumn.Time("receive_ts"),
            ColdColumn.Time("ingested_at"),
            ColdColumn.Flag("is_snapshot"),
            ColdColumn.Text("kafka_topic"),
            ColdColumn.Long("kafka_partition"),
            ColdColumn.Long("kafka_offset"),
            ColdColumn.Flag("is_valid"),
            new("validation_errors", WireKind.StringList, "validation_errors"),
        ],
        TimeColumn: "exchange_ts",
        SelectionKey: ["kafka_topic", "kafka_partition", "kafka_offset"],
        AuditKey: ["exchange", "symbol", "trade_id"],
        SortColumns: ["exchange", "canonical_symbol", "exchange_ts", "trade_id"],
        Partitioning: schema => new PartitionSpec(0,
        [
            new PartitionField(Id(schema, "exchange_ts"), PartitionSpec.FirstFieldId, "exchange_ts_month", Transform.Month),
            new PartitionField(Id(schema, "exchange"), PartitionSpec.FirstFieldId + 1, "exchange", Transform.Identity),
            new PartitionField(Id(schema, "canonical_symbol"), PartitionSpec.FirstFieldId + 2, "canonical_symbol_bucket", Transform.Bucket(SymbolBuckets)),
        ]));

    // Candles are few (one row per symbol and window): coarser time partitions keep files from being tiny.
    private static ColdTable GoldOf(CandleInterval interval) => new(
        $"gold_ohlcv_{interval.Name}",
        ColdLayer.Gold,
        interval.View,
        [
            ColdColumn.Text("exchange"),
            ColdColumn.Text("symbol"),
            ColdColumn.Text("canonical_symbol"),
            ColdColumn.Time("window_start"),
            ColdColumn.Exact("open"),
            ColdColumn.Exact("high"),
            ColdColumn.Exact("low"),
            ColdColumn.Exact("close"),
            ColdColumn.Exact("volume"),
            ColdColumn.Exact("quote_volume"),
            ColdColumn.Exact("vwap"),
            ColdColumn.Long("trade_count"),
            ColdColumn.Exact("buy_volume"),
            ColdColumn.Exact("sell_volume"),
        ],
        TimeColumn: "window_start",
        SelectionKey: ["window_start"],
        AuditKey: ["exchange", "symbol", "window_start"],
        SortColumns: ["canonical_symbol", "window_start"],
        Partitioning: schema => new PartitionSpec(0,
        [
            new PartitionField(Id(schema, "window_start"), PartitionSpec.FirstFieldId, $"window_start_{GoldPeriod(interval).ToString().ToLowerInvariant()}", GoldPeriod(interval)),
            new PartitionField(Id(schema, "exchange"), PartitionSpec.FirstFieldId + 1, "exchange", Transform.Identity),
        ]),
        Interval: interval);

    /// <summary>Month up to 1h candles, year for 1d.</summary>
    internal static Transform GoldPeriod(CandleInterval interval) => interval.Length <= TimeSpan.FromHours(1) ? Transform.Month : Transform.Year;

    private static PartitionSpec MonthAndSymbolBucket(Schema schema, string time, string symbol) => new(0,
    [
        new PartitionField(Id(schema, time), PartitionSpec.FirstFieldId, $"{time}_month", Transform.Month),
        new PartitionField(Id(schema, symbol), PartitionSpec.FirstFieldId + 1, $"{symbol}_bucket", Transform.Bucket(SymbolBuckets)),
    ]);

    private static int Id(Schema schema, string column) => schema.Fields[schema.IndexOf(column)].Id;
}
