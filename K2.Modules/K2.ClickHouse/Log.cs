using Microsoft.Extensions.Logging;

namespace K2.ClickHouse;

/// <summary>The ClickHouse module's log events (ids 4000–4999).</summary>
internal static partial class Log
{
    [LoggerMessage(4001, LogLevel.Information, "ClickHouse migration {Version} ({Name}) applied to database {Database}")]
    public static partial void MigrationApplied(ILogger logger, int version, string name, string database);

    [LoggerMessage(4002, LogLevel.Warning, "ClickHouse migration {Version} ({Name}) was applied with checksum {Recorded} but its definition is now {Current} (changed configuration, e.g. a TTL?); it is not re-applied: change the objects with a new migration")]
    public static partial void MigrationChanged(ILogger logger, int version, string name, string recorded, string current);

    [LoggerMessage(4003, LogLevel.Information, "Kafka-engine consumer for {Exchange} (re)created on topic {Topic}, group {Group}")]
    public static partial void ConsumerCreated(ILogger logger, string exchange, string topic, string group);

    [LoggerMessage(4015, LogLevel.Warning, "Kafka queue table {Queue} was left detached by a candle rebuild a kill cut; attached again, its consumer resumes from the committed offsets")]
    public static partial void QueueAttached(ILogger logger, string queue);

    [LoggerMessage(4004, LogLevel.Information, "ClickHouse hot tier ready: server {Version}, {Applied} migration(s) applied, {Consumers} consumer(s) (re)created")]
    public static partial void SchemaReady(ILogger logger, string version, int applied, int consumers);

    [LoggerMessage(4005, LogLevel.Warning, "ClickHouse health poll failed")]
    public static partial void HealthPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(4006, LogLevel.Information, "Candles {From} – {To} recomputed from deduplicated silver: {Windows} window(s) across {Tables} table(s)")]
    public static partial void CandlesRepaired(ILogger logger, DateTimeOffset from, DateTimeOffset to, long windows, int tables);

    [LoggerMessage(4007, LogLevel.Warning, "Starting without all Kafka-engine consumers in their groups; trades published before they join are not ingested by ClickHouse: {Detail}")]
    public static partial void ConsumersNotJoined(ILogger logger, string detail);

    [LoggerMessage(4008, LogLevel.Warning, "Returning the embedded engine's freed memory failed")]
    public static partial void MemoryReleaseFailed(ILogger logger, Exception exception);

    [LoggerMessage(4009, LogLevel.Warning, "{Windows} one-minute candle window(s) between {From} and {To} counted trades twice (a redelivered Kafka block); rebuilding the candles of that span from deduplicated silver")]
    public static partial void RedeliveredCandlesFound(ILogger logger, long windows, DateTimeOffset from, DateTimeOffset to);

    [LoggerMessage(4011, LogLevel.Warning, "Candles of the minute {Window} count other trades than silver holds (a redelivered block or a kill mid-insert); rebuilding them from silver")]
    public static partial void CandlesDiffered(ILogger logger, DateTimeOffset window);

    [LoggerMessage(4013, LogLevel.Warning, "The candle rebuild of {From} – {To} never finished (the process was stopped between deleting windows and writing them again); running it again")]
    public static partial void InterruptedRepairResumed(ILogger logger, DateTimeOffset from, DateTimeOffset to);

    [LoggerMessage(4014, LogLevel.Warning, "{Trades} {Exchange} trade(s) were in bronze but not in silver (the previous process was killed between the two inserts); written to silver and the candles")]
    public static partial void SilverCaughtUp(ILogger logger, long trades, K2.Core.Trades.Exchange exchange);

    [LoggerMessage(4012, LogLevel.Warning, "Candle check failed; it runs again at its next interval")]
    public static partial void CandleCheckFailed(ILogger logger, Exception exception);
}
