using K2.Core.Trades;

namespace K2.ClickHouse.Schema;

/// <summary>
/// The versioned hot-tier schema: errors table, silver, bronze per exchange, candles. The Kafka-engine
/// consumers are not here: they hold no data and depend on the broker list, so
/// <see cref="KafkaConsumerDdl"/> reconciles them at every apply.
/// </summary>
public static class HotTierMigrations
{
    public const string MigrationsTable = "schema_migrations";
    public const string ErrorsTable = "kafka_errors";
    public const string SilverTable = "silver_trades";

    /// <summary>Hot rows the offload could not write to their cold table, with the reason (docs/offload.md).</summary>
    public const string QuarantineTable = "offload_quarantine";

    public static string BronzeTable(Exchange exchange) => $"bronze_trades_{exchange.ToWire()}";

    public static IReadOnlyList<Migration> All(HotTierSettings s) =>
    [
        new(1, "kafka_errors", [ErrorsTableDdl(s)]),
        new(2, "silver_trades", [SilverDdl(s)]),
        new(3, "bronze_trades", ExchangeNames.All.SelectMany(e => new[] { BronzeDdl(s, e), BronzeToSilverDdl(s, e) }).ToList()),
        new(4, "ohlcv", CandleInterval.All.SelectMany(i => new[] { CandleTableDdl(s, i), CandleViewDdl(s, i), CandleFinalViewDdl(s, i) }).ToList()),
        new(5, QuarantineTable, [QuarantineDdl(s)]),
        new(6, KafkaOffsetBases.Table, [KafkaOffsetBases.Ddl(s)]),
        new(7, CandleRepairsTable, [CandleRepairsDdl(s)]),
    ];

    /// <summary>Candle rebuilds begun and finished (Operations/CandleRepair.cs): one cut by a kill is run again.</summary>
    public const string CandleRepairsTable = "candle_repairs";

    public static string MigrationsTableDdl(HotTierSettings s) => $"""
        CREATE TABLE IF NOT EXISTS {s.Table(MigrationsTable)}{s.OnCluster}
        (
            version UInt32,
            name String,
            checksum String,
            applied_at DateTime64(3, 'UTC')
        )
        ENGINE = {s.Engine("ReplacingMergeTree")}
        ORDER BY version
        """;

    private static string ErrorsTableDdl(HotTierSettings s) => $"""
        CREATE TABLE IF NOT EXISTS {s.Table(ErrorsTable)}{s.OnCluster}
        (
            exchange LowCardinality(String),
            kafka_topic String,
            kafka_partition UInt64,
            kafka_offset UInt64,
            raw_message String,
            error String,
            ingested_at DateTime64(6, 'UTC') DEFAULT now64(6, 'UTC')
        )
        ENGINE = {s.Engine("MergeTree")}
        PARTITION BY toYYYYMMDD(ingested_at)
        ORDER BY (exchange, ingested_at)
        TTL toDateTime(ingested_at) + INTERVAL {s.Retention.ErrorsDays} DAY
        SETTINGS ttl_only_drop_parts = 1
        """;

    // One row per (cold table, row key): a run that quarantines a row and then fails quarantines it again on retry.
    // No TTL: a quarantined row may be the only copy once the hot source has expired.
    private static string QuarantineDdl(HotTierSettings s) => $"""
        CREATE TABLE IF NOT EXISTS {s.Table(QuarantineTable)}{s.OnCluster}
        (
            cold_table LowCardinality(String),
            row_key String,
            reason String,
            hot_row String,
            quarantined_at DateTime64(6, 'UTC') DEFAULT now64(6, 'UTC')
        )
        ENGINE = {s.Engine("ReplacingMergeTree", "quarantined_at")}
        ORDER BY (cold_table, row_key)
        """;

    // ReplacingMergeTree keyed by (exchange, symbol, trade_id): redelivered trades collapse at merge;
    // the repair reads silver deduplicated explicitly, since merges are not guaranteed to have run.
    private static string SilverDdl(HotTierSettings s) => $"""
        CREATE TABLE IF NOT EXISTS {s.Table(SilverTable)}{s.OnCluster}
        (
            exchange LowCardinality(String),
            symbol LowCardinality(String),
            canonical_symbol LowCardinality(String),
            trade_id String,
            price Decimal(38, 18),
            quantity Decimal(38, 18),
            quote_volume Decimal(76, 36),
            side LowCardinality(String),
            exchange_ts DateTime64(6, 'UTC'),
            receive_ts DateTime64(6, 'UTC'),
            ingested_at DateTime64(6, 'UTC'),
            is_snapshot Bool,
            kafka_topic LowCardinality(String),
            kafka_partition UInt64,
            kafka_offset UInt64,
            is_valid Bool,
            validation_errors Array(String),
            INDEX ix_exchange_ts exchange_ts TYPE minmax GRANULARITY 4
        )
        ENGINE = {s.Engine("ReplacingMergeTree", "ingested_at")}
        PARTITION BY toYYYYMM(exchange_ts)
        ORDER BY (exchange, symbol, trade_id)
        TTL toDateTime(ingested_at) + INTERVAL {s.Retention.SilverDays} DAY
        """;

    private static string BronzeDdl(HotTierSettings s, Exchange e) => $"""
        CREATE TABLE IF NOT EXISTS {s.Table(BronzeTable(e))}{s.OnCluster}
        (
            {KafkaConsumerDdl.MessageColumns},
            kafka_topic LowCardinality(String),
            kafka_partition UInt64,
            kafka_offset UInt64,
            ingested_at DateTime64(6, 'UTC') DEFAULT now64(6, 'UTC')
        )
        ENGINE = {s.Engine("MergeTree")}
        PARTITION BY toYYYYMMDD(ingested_at)
        ORDER BY (symbol, exchange_ts_us, trade_id)
        TTL toDateTime(ingested_at) + INTERVAL {s.Retention.BronzeDays} DAY
        SETTINGS ttl_only_drop_parts = 1
        """;

    // A row when a rebuild begins and one when it ends; the newest row of a range tells whether it finished.
    private static string CandleRepairsDdl(HotTierSettings s) => $"""
        CREATE TABLE IF NOT EXISTS {s.Table(CandleRepairsTable)}{s.OnCluster}
        (
            range_from DateTime64(6, 'UTC'),
            range_to DateTime64(6, 'UTC'),
            finished Bool,
            recorded_at DateTime64(6, 'UTC') DEFAULT now64(6, 'UTC')
        )
        ENGINE = {s.Engine("ReplacingMergeTree", "recorded_at")}
        ORDER BY (range_from, range_to)
        TTL toDateTime(recorded_at) + INTERVAL 30 DAY
        """;

    // Bronze keeps price and quantity as the exchange's text; silver parses them exactly (no rounding)
    // and marks what does not parse as invalid instead of dropping it.
    private static string BronzeToSilverDdl(HotTierSettings s, Exchange e) => $"""
        CREATE MATERIALIZED VIEW IF NOT EXISTS {s.Table($"mv_{BronzeTable(e)}_to_silver")}{s.OnCluster}
        TO {s.Table(SilverTable)}
        AS {BronzeToSilverSelect(s, e, s.Table(BronzeTable(e)))}
        """;

    /// <summary>The silver rows of the bronze rows <paramref name="source"/> yields (a table or a parenthesized query).</summary>
    internal static string BronzeToSilverSelect(HotTierSettings s, Exchange e, string source) => $"""
        SELECT
            exchange, symbol, canonical_symbol, trade_id,
            price_dec AS price,
            quantity_dec AS quantity,
            CAST(price_dec AS Decimal(76, 18)) * CAST(quantity_dec AS Decimal(76, 18)) AS quote_volume,
            side,
            fromUnixTimestamp64Micro(exchange_ts_us, 'UTC') AS exchange_ts,
            fromUnixTimestamp64Micro(receive_ts_us, 'UTC') AS receive_ts,
            ingested_at, is_snapshot, kafka_topic, kafka_partition, kafka_offset,
            empty(errors) AS is_valid,
            errors AS validation_errors
        FROM
        (
            SELECT *,
                toDecimal128OrZero(price, 18) AS price_dec,
                toDecimal128OrZero(quantity, 18) AS quantity_dec,
                arrayFilter(x -> x != '', [
                    if(schema_version = 1, '', 'unsupported schema_version'),
                    if(exchange = '{e.ToWire()}', '', 'exchange does not match the topic'),
                    if(symbol != '', '', 'symbol is empty'),
                    if(trade_id != '', '', 'trade_id is empty'),
                    if(match(price, '{DecimalPattern}'), '', 'price is not a plain decimal with at most 18 decimals'),
                    if(match(quantity, '{DecimalPattern}'), '', 'quantity is not a plain decimal with at most 18 decimals'),
                    if(price_dec > 0, '', 'price must be positive'),
                    if(quantity_dec > 0, '', 'quantity must be positive'),
                    if(side IN ('BUY', 'SELL'), '', 'side must be BUY or SELL'),
                    if(exchange_ts_us > 0, '', 'exchange_ts_us must be positive')
                ]) AS errors
            FROM {source}
        )
        """;

    private const string DecimalPattern = "^[0-9]{1,20}([.][0-9]{1,18})?$";

    private const string OrderKey = "Tuple(DateTime64(6, 'UTC'), UInt64, String)";

    private static string CandleTableDdl(HotTierSettings s, CandleInterval i) => $"""
        CREATE TABLE IF NOT EXISTS {s.Table(i.Table)}{s.OnCluster}
        (
            exchange LowCardinality(String),
            symbol LowCardinality(String),
            canonical_symbol LowCardinality(String),
            window_start DateTime('UTC'),
            open AggregateFunction(argMin, Decimal(38, 18), {OrderKey}),
            high SimpleAggregateFunction(max, Decimal(38, 18)),
            low SimpleAggregateFunction(min, Decimal(38, 18)),
            close AggregateFunction(argMax, Decimal(38, 18), {OrderKey}),
            volume SimpleAggregateFunction(sum, Decimal(38, 18)),
            quote_volume SimpleAggregateFunction(sum, Decimal(76, 36)),
            trade_count SimpleAggregateFunction(sum, UInt64),
            buy_volume SimpleAggregateFunction(sum, Decimal(38, 18)),
            sell_volume SimpleAggregateFunction(sum, Decimal(38, 18))
        )
        ENGINE = {s.Engine("AggregatingMergeTree")}
        PARTITION BY toYYYYMM(window_start)
        ORDER BY (exchange, symbol, canonical_symbol, window_start)
        """;

    private static string CandleViewDdl(HotTierSettings s, CandleInterval i) => $"""
        CREATE MATERIALIZED VIEW IF NOT EXISTS {s.Table($"mv_silver_to_{i.Table}")}{s.OnCluster}
        TO {s.Table(i.Table)}
        AS {CandleStates(i, s.Table(SilverTable))}
        """;

    /// <summary>
    /// Candle states of <paramref name="source"/> (silver or a deduplicated slice of it). Open and close are
    /// the first and last trade by (exchange time, trade id), the id compared by length first so numeric ids
    /// order numerically: ties at one microsecond resolve the same way in every merge.
    /// </summary>
    public static string CandleStates(CandleInterval i, string source) => $"""
        SELECT
            exchange, symbol, canonical_symbol,
            toDateTime(toStartOfInterval(exchange_ts, INTERVAL {i.SqlInterval}, 'UTC'), 'UTC') AS window_start,
            argMinState(price, (exchange_ts, length(trade_id), trade_id)) AS open,
            max(price) AS high,
            min(price) AS low,
            argMaxState(price, (exchange_ts, length(trade_id), trade_id)) AS close,
            sum(quantity) AS volume,
            sum(quote_volume) AS quote_volume,
            count() AS trade_count,
            sumIf(quantity, side = 'BUY') AS buy_volume,
            sumIf(quantity, side = 'SELL') AS sell_volume
        FROM {source}
        WHERE is_valid
        GROUP BY exchange, symbol, canonical_symbol, window_start
        """;

    // The inner query names its aggregates apart from the columns: ClickHouse resolves an alias before a
    // column, so `sum(volume) AS volume` would make `sum(quote_volume) / sum(volume)` a nested aggregate.
    private static string CandleFinalViewDdl(HotTierSettings s, CandleInterval i) => $"""
        CREATE VIEW IF NOT EXISTS {s.Table(i.View)}{s.OnCluster}
        AS SELECT
            exchange, symbol, canonical_symbol, window_start,
            o AS open, h AS high, l AS low, c AS close,
            v AS volume, qv AS quote_volume,
            CAST(qv / v AS Decimal(38, 18)) AS vwap,
            n AS trade_count, bv AS buy_volume, sv AS sell_volume
        FROM
        (
            SELECT exchange, symbol, canonical_symbol, window_start,
                argMinMerge(open) AS o, max(high) AS h, min(low) AS l, argMaxMerge(close) AS c,
                sum(volume) AS v, sum(quote_volume) AS qv, sum(trade_count) AS n,
                sum(buy_volume) AS bv, sum(sell_volume) AS sv
            FROM {s.Table(i.Table)}
            GROUP BY exchange, symbol, canonical_symbol, window_start
        )
        """;
}
