using Microsoft.Extensions.Logging;

namespace K2.Iceberg;

/// <summary>The Iceberg module's log events (ids 5000–5999).</summary>
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Information, "Iceberg table {Table} created at {Location}")]
    public static partial void Created(ILogger logger, string table, string location);

    [LoggerMessage(5001, LogLevel.Information, "Iceberg commit conflict on {Table} (attempt {Attempt}); retrying on the new metadata")]
    public static partial void CommitConflict(ILogger logger, string table, int attempt);

    [LoggerMessage(5002, LogLevel.Information, "Iceberg table {Table} committed snapshot {SnapshotId} ({Location})")]
    public static partial void Committed(ILogger logger, string table, long snapshotId, string location);

    [LoggerMessage(5003, LogLevel.Warning, "Iceberg table {Table}: deleted uncommitted metadata file {File} left by an interrupted commit")]
    public static partial void UncommittedDeleted(ILogger logger, string table, string file);

    [LoggerMessage(5004, LogLevel.Warning, "Iceberg table {Table}: could not delete previous metadata file {File}; orphan cleanup will")]
    public static partial void MetadataDeleteFailed(ILogger logger, string table, string file, Exception exception);
}
