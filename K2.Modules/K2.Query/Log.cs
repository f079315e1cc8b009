using Microsoft.Extensions.Logging;

namespace K2.Query;

/// <summary>The query module's log events (ids 9000–9999). API keys, storage credentials and SQL holding them are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(9000, LogLevel.Information, "Query API listening on {Address} ({KeyCount} API keys, {Origins} CORS origins)")]
    public static partial void Listening(ILogger logger, string address, int keyCount, int origins);

    [LoggerMessage(9001, LogLevel.Error, "Query API request {Endpoint} failed")]
    public static partial void RequestFailed(ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(9002, LogLevel.Warning, "Query API request {Endpoint} stopped after {TimeoutSeconds} s (Modules:Query:QueryTimeoutSeconds)")]
    public static partial void TimedOut(ILogger logger, string endpoint, int timeoutSeconds);

    [LoggerMessage(9010, LogLevel.Information, "Live trade stream started: {Partitions} partitions from the hot tier's committed positions")]
    public static partial void LiveStarted(ILogger logger, int partitions);

    [LoggerMessage(9011, LogLevel.Warning, "Live trade stream: consuming failed, retrying")]
    public static partial void LiveConsumeFailed(ILogger logger, Exception exception);

    [LoggerMessage(9012, LogLevel.Warning, "Live trade stream: a message at {Topic}/{Partition}@{Offset} is not a normalized trade; skipped")]
    public static partial void LiveBadMessage(ILogger logger, string topic, int partition, long offset);

    [LoggerMessage(9013, LogLevel.Information, "Live subscriber disconnected: {Reason}")]
    public static partial void LiveDisconnected(ILogger logger, string reason);
}
