using Prometheus;

namespace K2.Exchanges;

/// <summary>The exchanges module's Prometheus metrics. Labels: exchange, configured symbol, a fixed reason set.</summary>
internal static class ExchangeMetrics
{
    public static readonly Counter Frames = Metrics.CreateCounter("k2_exchange_frames_total", "WebSocket frames received", "exchange");

    public static readonly Counter Trades = Metrics.CreateCounter("k2_exchange_trades_total", "Unique trades emitted", "exchange", "symbol");

    public static readonly Counter Duplicates = Metrics.CreateCounter("k2_exchange_duplicate_trades_total", "Trades dropped as duplicates", "exchange", "symbol");

    public static readonly Counter Rejects = Metrics.CreateCounter("k2_exchange_rejected_frames_total", "Frames rejected (dead-lettered) by reason", "exchange", "reason");

    public static readonly Counter Reconnects = Metrics.CreateCounter("k2_exchange_reconnects_total", "Connections re-opened by reason", "exchange", "reason");

    public static readonly Counter SequenceDrops = Metrics.CreateCounter("k2_exchange_sequence_drops_total", "Messages missing by sequence number (Coinbase)", "exchange");

    public static readonly Gauge GapsOpen = Metrics.CreateGauge("k2_exchange_gaps_open", "Trade-id gaps currently open", "exchange", "symbol");

    public static readonly Counter GapsClosed = Metrics.CreateCounter("k2_exchange_gaps_closed_total", "Trade-id gaps closed by outcome (filled, absent, lost)", "exchange", "symbol", "status");

    public static readonly Counter GapsOpened = Metrics.CreateCounter("k2_exchange_gaps_opened_total", "Trade-id gaps opened", "exchange", "symbol");

    public static readonly Gauge LastTradeTimestamp = Metrics.CreateGauge("k2_exchange_last_trade_timestamp_seconds", "Local time of the last unique trade (seconds since last trade = time() - this)", "exchange", "symbol");

    public static readonly Histogram Latency = Metrics.CreateHistogram("k2_exchange_receive_latency_seconds", "Exchange trade time to local receive time", new HistogramConfiguration
    {
        LabelNames = ["exchange"],
        Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });

    public static readonly Gauge Connected = Metrics.CreateGauge("k2_exchange_connections", "Open WebSocket connections", "exchange");

    public static readonly Counter RestRequests = Metrics.CreateCounter("k2_exchange_rest_requests_total", "REST trade requests by result (ok, rate_limited, error)", "exchange", "result");

    public static readonly Counter BackfilledTrades = Metrics.CreateCounter("k2_exchange_backfilled_trades_total", "Unique trades recovered over REST (gaps and restarts)", "exchange", "symbol");

    public static readonly Counter LostTrades = Metrics.CreateCounter("k2_exchange_lost_trades_total", "Trade ids of gaps closed as lost: missing and not recovered", "exchange", "symbol");

    public static readonly Gauge ResumedSymbols = Metrics.CreateGauge("k2_exchange_resumed_symbols", "Symbols whose ingest resumed after their newest stored trade at the last start", "exchange");
}
