using Prometheus;

namespace K2.Query;

/// <summary>The query API's metrics; endpoint labels are route names (trades, candles, instruments, exchanges, live, openapi).</summary>
internal static class QueryMetrics
{
    public static readonly Counter Requests = Metrics.CreateCounter(
        "k2_query_requests_total", "Query API requests answered, by endpoint and HTTP status code.", "endpoint", "status");

    public static readonly Histogram Duration = Metrics.CreateHistogram(
        "k2_query_request_duration_seconds", "Query API request latency from arrival to the last byte, by endpoint.",
        new HistogramConfiguration
        {
            LabelNames = ["endpoint"],
            Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
        });

    public static readonly Counter Rows = Metrics.CreateCounter(
        "k2_query_rows_served_total", "Trades and candles served by the query API, by endpoint and the tier they were read from (hot, cold, mixed for a candle rolled up from both, live).",
        "endpoint", "tier");

    public static readonly Gauge LiveSubscribers = Metrics.CreateGauge(
        "k2_query_live_subscribers", "Clients connected to the live trade stream.");

    public static readonly Counter LiveDisconnects = Metrics.CreateCounter(
        "k2_query_live_disconnects_total", "Live stream clients disconnected by the server, by reason (slow: its queue of trades was full; error).", "reason");
}
