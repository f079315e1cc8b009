using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using K2.Core.Trades;

namespace K2.ClickHouse.Schema;

/// <summary>
/// The Kafka-engine consumer of one exchange: queue table on the normalized topic and the views moving
/// good messages to bronze and bad ones (kept whole with the parse error) to the errors table.
/// </summary>
public static class KafkaConsumerDdl
{
    /// <summary>The normalized trade message (docs/normalized-trade-message.md), in field order.</summary>
    public const string MessageColumns = """
        schema_version UInt16,
            exchange LowCardinality(String),
            symbol LowCardinality(String),
            canonical_symbol LowCardinality(String),
            trade_id String,
            price String,
            quantity String,
            side LowCardinality(String),
            exchange_ts_us Int64,
            receive_ts_us Int64,
            raw_side Nullable(String),
            is_buyer_maker Nullable(Bool),
            sequence_number Nullable(Int64),
            order_type Nullable(String),
            event_ts_us Nullable(Int64),
            is_snapshot Bool
        """;

    private const string MessageFields =
        "schema_version, exchange, symbol, canonical_symbol, trade_id, price, quantity, side, exchange_ts_us, receive_ts_us, " +
        "raw_side, is_buyer_maker, sequence_number, order_type, event_ts_us, is_snapshot";

    public static string QueueTable(Exchange exchange) => $"kafka_trades_{exchange.ToWire()}";

    public static string ToBronzeView(Exchange exchange) => $"mv_{QueueTable(exchange)}_to_bronze";

    public static string ToErrorsView(Exchange exchange) => $"mv_{QueueTable(exchange)}_to_errors";

    /// <summary>Statements creating the consumer, views first dropped so a changed definition replaces the old one.</summary>
    /// <param name="offsetBases">Added to each partition's Kafka offset (<see cref="KafkaOffsetBases"/>); none: bronze keeps the broker's offsets.</param>
    public static IReadOnlyList<string> Create(HotTierSettings s, Exchange e, IReadOnlyDictionary<ulong, ulong>? offsetBases = null)
    {
        var definition = Definition(s, e);
        var views = Views(s, e, offsetBases ?? new Dictionary<ulong, ulong>());
        return
        [
            .. Drop(s, e),
            $"{definition}\nCOMMENT '{Marker(definition, views)}'",
            .. views,
        ];
    }

    private static string[] Views(HotTierSettings s, Exchange e, IReadOnlyDictionary<ulong, ulong> offsetBases)
    {
        var offset = KafkaOffset(offsetBases);
        return
        [
            $"""
            CREATE MATERIALIZED VIEW IF NOT EXISTS {s.Table(ToBronzeView(e))}{s.OnCluster}
            TO {s.Table(HotTierMigrations.BronzeTable(e))}
            AS SELECT {MessageFields},
                _topic AS kafka_topic, _partition AS kafka_partition, {offset} AS kafka_offset,
                now64(6, 'UTC') AS ingested_at
            FROM {s.Table(QueueTable(e))}
            WHERE length(_error) = 0
            """,
            $"""
            CREATE MATERIALIZED VIEW IF NOT EXISTS {s.Table(ToErrorsView(e))}{s.OnCluster}
            TO {s.Table(HotTierMigrations.ErrorsTable)}
            AS SELECT '{e.ToWire()}' AS exchange,
                _topic AS kafka_topic, _partition AS kafka_partition, {offset} AS kafka_offset,
                _raw_message AS raw_message, _error AS error, now64(6, 'UTC') AS ingested_at
            FROM {s.Table(QueueTable(e))}
            WHERE length(_error) > 0
            """,
        ];
    }

    private static string KafkaOffset(IReadOnlyDictionary<ulong, ulong> offsetBases)
    {
        var bases = offsetBases.Where(b => b.Value > 0).OrderBy(b => b.Key).ToList();
        if (bases.Count == 0) { return "_offset"; }
        var partitions = string.Join(", ", bases.Select(b => b.Key.ToString(CultureInfo.InvariantCulture)));
        var values = string.Join(", ", bases.Select(b => b.Value.ToString(CultureInfo.InvariantCulture)));
        return $"_offset + transform(_partition, CAST([{partitions}] AS Array(UInt64)), CAST([{values}] AS Array(UInt64)), toUInt64(0))";
    }

    public static IReadOnlyList<string> Drop(HotTierSettings s, Exchange e) =>
    [
        $"DROP VIEW IF EXISTS {s.Table(ToBronzeView(e))}{s.OnCluster}",
        $"DROP VIEW IF EXISTS {s.Table(ToErrorsView(e))}{s.OnCluster}",
        $"DROP TABLE IF EXISTS {s.Table(QueueTable(e))}{s.OnCluster}",
    ];

    /// <summary>The comment the queue table carries: it tells whether the live consumer matches the configuration.</summary>
    public static string Marker(HotTierSettings s, Exchange e, IReadOnlyDictionary<ulong, ulong>? offsetBases = null) =>
        Marker(Definition(s, e), Views(s, e, offsetBases ?? new Dictionary<ulong, ulong>()));

    private static string Marker(string definition, IEnumerable<string> views) =>
        "k2:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', views.Prepend(definition)))))[..16];

    // kafka_handle_error_mode='stream': a message that does not parse yields a row with _error and
    // _raw_message set instead of stopping the consumer. The security settings come from the named collection,
    // so no secret is ever part of this text.
    private static string Definition(HotTierSettings s, Exchange e) => $"""
        CREATE TABLE IF NOT EXISTS {s.Table(QueueTable(e))}{s.OnCluster}
        (
            {MessageColumns}
        )
        ENGINE = Kafka({s.KafkaNamedCollection})
        SETTINGS
            kafka_broker_list = '{s.KafkaBrokers}',
            kafka_topic_list = '{s.Topic(e)}',
            kafka_group_name = '{s.ConsumerGroup(e)}',
            kafka_format = 'JSONEachRow',
            kafka_handle_error_mode = 'stream',
            kafka_flush_interval_ms = {s.FlushIntervalMilliseconds},
            kafka_max_block_size = {s.MaxBlockSize},
            kafka_poll_timeout_ms = {s.PollTimeoutMilliseconds},
            kafka_poll_max_batch_size = {s.PollMaxBatchSize},
            kafka_num_consumers = {s.Consumers},
            kafka_thread_per_consumer = {(s.Consumers > 1 ? 1 : 0)}
        """;
}
