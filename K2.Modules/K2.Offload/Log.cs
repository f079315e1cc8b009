using Microsoft.Extensions.Logging;

namespace K2.Offload;

/// <summary>The offload module's log events (ids 6000–6999).</summary>
internal static partial class Log
{
    [LoggerMessage(6000, LogLevel.Information, "Offload of {Table}: {Outcome}, {Rows} rows, {Bytes} bytes in {Files} files, {Seconds:F2} s, watermark {Watermark}")]
    public static partial void TableDone(ILogger logger, string table, string outcome, long rows, long bytes, int files, double seconds, string watermark);

    [LoggerMessage(6001, LogLevel.Error, "Offload of {Table} failed; it is retried on the next run")]
    public static partial void TableFailed(ILogger logger, string table, Exception exception);

    [LoggerMessage(6002, LogLevel.Warning, "Offload of {Table} superseded: {Reason}; this run's files were deleted")]
    public static partial void Superseded(ILogger logger, string table, string reason);

    [LoggerMessage(6003, LogLevel.Warning, "offload_watermarks row of {Table} was behind its committed snapshot ({Recorded} < {Committed}); repaired from the snapshot")]
    public static partial void WatermarkRepaired(ILogger logger, string table, string recorded, string committed);

    [LoggerMessage(6004, LogLevel.Information, "Offload run {Run} finished: {Committed} committed, {Failed} failed of {Tables} tables in {Seconds:F1} s")]
    public static partial void RunDone(ILogger logger, string run, int committed, int failed, int tables, double seconds);

    [LoggerMessage(6005, LogLevel.Warning, "Offload of {Table}: {Rows} rows do not fit the cold table and were quarantined in {QuarantineTable} with their reason; the other rows go on")]
    public static partial void Quarantined(ILogger logger, string table, long rows, string quarantineTable);

    [LoggerMessage(6006, LogLevel.Information, "Cold table {Table}: column types widened to the current definition by schema evolution (schema {SchemaId}); existing files are kept")]
    public static partial void SchemaPromoted(ILogger logger, string table, int schemaId);

    [LoggerMessage(6008, LogLevel.Information, "Cold table {Table}: new files are partitioned by spec {SpecId} ({Spec}) by partition evolution; maintenance moves the older spec's files into it")]
    public static partial void PartitionSpecEvolved(ILogger logger, string table, int specId, string spec);

    [LoggerMessage(6007, LogLevel.Error, "Checking the candles for redelivered trades failed; candles are offloaded as they are and checked again next run")]
    public static partial void CandleRepairFailed(ILogger logger, Exception exception);
}
