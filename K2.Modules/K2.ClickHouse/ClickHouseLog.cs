using Microsoft.Extensions.Logging;

namespace K2.ClickHouse;

internal static partial class ClickHouseLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "ClickHouse migration {Version} ({Name}) applied to database {Database}")]
    public static partial void MigrationApplied(ILogger logger, int version, string name, string database);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "ClickHouse migration {Version} ({Name}) was applied with checksum {Recorded} but its definition is now {Current} (changed configuration, e.g. a TTL?); it is not re-applied: change the objects with a new migration")]
    public static partial void MigrationChanged(ILogger logger, int version, string name, string recorded, string current);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Kafka-engine consumer for {Exchange} (re)created on topic {Topic}, group {Group}")]
    public static partial void ConsumerCreated(ILogger logger, string exchange, string topic, string group);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "ClickHouse hot tier ready: server {Version}, {Applied} migration(s) applied, {Consumers} consumer(s) (re)created")]
    public static partial void SchemaReady(ILogger logger, string version, int applied, int consumers);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "ClickHouse health poll failed")]
    public static partial void HealthPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Information, Message = "Candles {From} – {To} recomputed from deduplicated silver: {Windows} window(s) across {Tables} table(s)")]
    public static partial void CandlesRepaired(ILogger logger, DateTimeOffset from, DateTimeOffset to, long windows, int tables);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "Starting without all Kafka-engine consumers in their groups; trades published before they join are not ingested by ClickHouse: {Detail}")]
    public static partial void ConsumersNotJoined(ILogger logger, string detail);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Warning, Message = "Returning the embedded engine's freed memory failed")]
    public static partial void MemoryReleaseFailed(ILogger logger, Exception exception);
}
