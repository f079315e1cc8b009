using Prometheus;

namespace K2.Offload;

/// <summary>Offload metrics; the only label is the cold table name (ten values) and the outcome.</summary>
internal static class OffloadMetrics
{
    public static readonly Counter Rows = Metrics.CreateCounter(
        "k2_offload_rows_total", "Rows committed to a cold table.", "table");

    public static readonly Counter Bytes = Metrics.CreateCounter(
        "k2_offload_bytes_total", "Bytes of Parquet data files committed to a cold table.", "table");

    public static readonly Counter Runs = Metrics.CreateCounter(
        "k2_offload_table_runs_total", "Offloads of a cold table by outcome (committed, up_to_date, superseded, failed).", "table", "outcome");

    public static readonly Histogram Duration = Metrics.CreateHistogram(
        "k2_offload_duration_seconds", "Duration of one table's offload.", new HistogramConfiguration
        {
            LabelNames = ["table"],
            Buckets = [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600],
        });

    public static readonly Gauge LastRunRows = Metrics.CreateGauge(
        "k2_offload_last_run_rows", "Rows the last offload of a table committed.", "table");

    public static readonly Gauge LastRunBytes = Metrics.CreateGauge(
        "k2_offload_last_run_bytes", "Bytes the last offload of a table committed.", "table");

    public static readonly Gauge Lag = Metrics.CreateGauge(
        "k2_offload_lag_seconds", "Now minus the event time of the newest row offloaded to a cold table.", "table");

    public static readonly Gauge ConsecutiveFailures = Metrics.CreateGauge(
        "k2_offload_consecutive_failures", "Offloads of a table that failed in a row (0 after a success).", "table");

    public static readonly Gauge LastSuccess = Metrics.CreateGauge(
        "k2_offload_last_success_timestamp_seconds", "Unix time of a table's last successful offload.", "table");

    public static readonly Counter Quarantined = Metrics.CreateCounter(
        "k2_offload_quarantined_rows_total", "Hot rows a cold table cannot hold, moved to the hot tier's offload_quarantine table with their reason instead of offloaded.", "table");
}
