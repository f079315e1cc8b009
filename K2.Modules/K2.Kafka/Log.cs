using Microsoft.Extensions.Logging;

namespace K2.Kafka;

/// <summary>The Kafka module's log messages (event ids 3000–3999).</summary>
internal static partial class Log
{
    [LoggerMessage(3001, LogLevel.Information, "Created topic {Topic} with {Partitions} partitions")]
    public static partial void TopicCreated(ILogger logger, string topic, int partitions);

    [LoggerMessage(3002, LogLevel.Warning, "Topic {Topic} has {Actual} partitions, configured {Configured}; existing topics are never altered")]
    public static partial void TopicMismatch(ILogger logger, string topic, int actual, int configured);

    [LoggerMessage(3020, LogLevel.Warning, "Topic {Topic} keeps messages for {ActualMs} ms, configured {ConfiguredMs} ms (retention.ms); existing topics are never altered")]
    public static partial void TopicRetentionMismatch(ILogger logger, string topic, string actualMs, long configuredMs);

    [LoggerMessage(3021, LogLevel.Warning, "Cannot read the settings of the existing topics to compare their retention: {Reason}")]
    public static partial void TopicSettingsUnreadable(ILogger logger, string reason);

    [LoggerMessage(3003, LogLevel.Warning, "Cannot reach the brokers to check the topics; records go to the spool until they can be ({Reason})")]
    public static partial void TopicsUnreachable(ILogger logger, string reason);

    [LoggerMessage(3004, LogLevel.Warning, "Publishing held back ({Reason}); spooling to {Folder}")]
    public static partial void SpoolingStarted(ILogger logger, string reason, string folder);

    [LoggerMessage(3005, LogLevel.Information, "Spool replayed; publishing live again")]
    public static partial void SpoolDrained(ILogger logger);

    [LoggerMessage(3006, LogLevel.Warning, "Spool at {Percent}% of its cap: {Bytes} of {MaxBytes} bytes, {Records} records")]
    public static partial void SpoolNearlyFull(ILogger logger, int percent, long bytes, long maxBytes, long records);

    [LoggerMessage(3007, LogLevel.Error, "Spool full ({Bytes} bytes, {Records} records): INGEST PAUSED until the brokers take records again")]
    public static partial void IngestPaused(ILogger logger, long bytes, long records);

    [LoggerMessage(3008, LogLevel.Information, "Spool has room again; ingest resumed")]
    public static partial void IngestResumed(ILogger logger);

    [LoggerMessage(3009, LogLevel.Error, "Kafka rejected a {Kind} record for {Topic} permanently ({Reason}); written to {File}")]
    public static partial void DeliveryFailed(ILogger logger, string kind, string topic, string reason, string file);

    [LoggerMessage(3010, LogLevel.Warning, "Kafka client error: {Reason}")]
    public static partial void ClientError(ILogger logger, string reason);

    [LoggerMessage(3011, LogLevel.Information, "Spool holds {Records} records ({Bytes} bytes) from before; replaying them first")]
    public static partial void SpoolFound(ILogger logger, long records, long bytes);

    [LoggerMessage(3012, LogLevel.Warning, "Shutdown: {Records} unacknowledged records moved to the spool for the next start")]
    public static partial void ShutdownSpooled(ILogger logger, int records);

    [LoggerMessage(3013, LogLevel.Information, "Consumer groups lag {Lag} messages (max {Max}): publishing {State}")]
    public static partial void LagThrottle(ILogger logger, long lag, long max, string state);

    [LoggerMessage(3014, LogLevel.Warning, "Cannot measure consumer lag: {Reason}")]
    public static partial void LagUnknown(ILogger logger, string reason);

    [LoggerMessage(3016, LogLevel.Critical, "The Kafka publisher stopped on an error; ingest gets the error from now on")]
    public static partial void PumpFailed(ILogger logger, Exception exception);

    [LoggerMessage(3017, LogLevel.Debug, "Embedded cluster: trimmed {Trimmed} consumed or surplus messages; {Retained} held in the normalized and raw topics")]
    public static partial void LogsTrimmed(ILogger logger, long trimmed, long retained);

    [LoggerMessage(3018, LogLevel.Warning, "Cannot trim the embedded cluster's logs: {Reason}")]
    public static partial void TrimFailed(ILogger logger, string reason);

    [LoggerMessage(3015, LogLevel.Information, "Kafka module disabled: dead letters and trades go to {Folder}")]
    public static partial void FallbackActive(ILogger logger, string folder);

    [LoggerMessage(3019, LogLevel.Warning, "Embedded cluster: scheduled outage, {Brokers} brokers down for {Seconds} s")]
    public static partial void OutageStarted(ILogger logger, int brokers, int seconds);

    [LoggerMessage(3020, LogLevel.Warning, "Embedded cluster: scheduled outage over, {Brokers} brokers up")]
    public static partial void OutageEnded(ILogger logger, int brokers);
}
