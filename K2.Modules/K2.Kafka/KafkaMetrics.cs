using Prometheus;

namespace K2.Kafka;

/// <summary>The Kafka module's Prometheus metrics (labels: record kind, exchange, topic — all bounded).</summary>
internal static class KafkaMetrics
{
    public static readonly Counter Acked = Metrics.CreateCounter("k2_kafka_records_acked_total", "Records the brokers acknowledged.", "kind");
    public static readonly Counter Failed = Metrics.CreateCounter("k2_kafka_records_failed_total", "Records the producer reported as permanently failed (written to the undeliverable file).", "kind");
    public static readonly Gauge InFlight = Metrics.CreateGauge("k2_kafka_records_in_flight", "Records handed to the producer and not yet acknowledged.");
    public static readonly Gauge QueueDepth = Metrics.CreateGauge("k2_kafka_queue_depth", "Records in the queue between ingestors and the producer.");
    public static readonly Gauge SpoolBytes = Metrics.CreateGauge("k2_kafka_spool_bytes", "Bytes of undelivered records in the on-disk spool.");
    public static readonly Gauge SpoolRecords = Metrics.CreateGauge("k2_kafka_spool_records", "Undelivered records in the on-disk spool.");
    public static readonly Gauge SpoolMaxBytes = Metrics.CreateGauge("k2_kafka_spool_max_bytes", "Size cap of the on-disk spool.");
    public static readonly Gauge IngestPaused = Metrics.CreateGauge("k2_kafka_ingest_paused", "1 while ingest waits because the spool is full.");
    public static readonly Gauge LagThrottled = Metrics.CreateGauge("k2_kafka_lag_throttled", "1 while publishing waits for consumer groups to catch up.");
    public static readonly Gauge EmbeddedRetained = Metrics.CreateGauge("k2_kafka_embedded_retained_messages", "Messages the embedded mock cluster holds in memory in the normalized and raw topics after the last trim.");
    public static readonly Counter EmbeddedTrimmed = Metrics.CreateCounter("k2_kafka_embedded_trimmed_messages_total", "Consumed or surplus messages trimmed from the embedded mock cluster's memory.");
    public static readonly Gauge EmbeddedOutage = Metrics.CreateGauge("k2_kafka_embedded_outage", "1 while a scheduled outage (Modules:Kafka:EmbeddedOutage) holds the embedded cluster's brokers down.");
    public static readonly Gauge TopicMismatch = Metrics.CreateGauge("k2_kafka_topic_mismatch", "1 when an existing topic's partition count or retention differs from the configuration.", "topic");
    public static readonly Counter DeadLetters = Metrics.CreateCounter("k2_kafka_dead_letters_total", "Frames sent to the dead-letter path.", "exchange");

    /// <summary>
    /// Buckets 25 % apart from 0.5 ms to 18 s: a quantile read from them (the publish benchmark's p99, a dashboard's
    /// histogram_quantile) is off by less than one bucket's width, where doubling buckets left it off by up to 100 %.
    /// </summary>
    public static readonly Histogram ReceiveToAck = Metrics.CreateHistogram(
        "k2_kafka_receive_to_ack_seconds",
        "Time from receiving a frame to the broker acknowledging its normalized trade.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 1.25, 48) });
}
