using Prometheus;

namespace K2.ClickHouse.Health;

/// <summary>Hot-tier gauges; labels are table and exchange names only.</summary>
internal static class HotTierMetrics
{
    public static readonly Gauge TableRows = Metrics.CreateGauge(
        "k2_clickhouse_table_rows", "Rows in active parts of a hot-tier table.", "table");

    public static readonly Gauge ConsumerLag = Metrics.CreateGauge(
        "k2_clickhouse_kafka_consumer_lag", "Messages between the partition ends and the offsets the Kafka-engine consumer group committed.", "exchange");

    public static readonly Gauge MessagesRead = Metrics.CreateGauge(
        "k2_clickhouse_kafka_messages_read", "Messages the Kafka-engine consumers have read since the server started.", "exchange");

    public static readonly Gauge ConsumerExceptions = Metrics.CreateGauge(
        "k2_clickhouse_kafka_consumer_exceptions", "Recent exceptions the Kafka-engine consumers report (system.kafka_consumers).", "exchange");

    public static readonly Gauge SecondsSinceLastPoll = Metrics.CreateGauge(
        "k2_clickhouse_kafka_seconds_since_last_poll", "Seconds since a Kafka-engine consumer last polled its topic.", "exchange");
}
