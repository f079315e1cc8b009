using Microsoft.Extensions.Logging;

namespace K2.Maintenance;

/// <summary>The maintenance module's log events (ids 7000–7999).</summary>
internal static partial class Log
{
    [LoggerMessage(7001, LogLevel.Information, "Compacted {Table}: {Replaced} small files into {Added} in {Groups} group(s), one replace snapshot")]
    public static partial void Compacted(ILogger logger, string table, int replaced, int added, int groups);

    [LoggerMessage(7002, LogLevel.Warning, "Compaction of {Table} aborted cleanly (its new files deleted): {Reason}")]
    public static partial void CompactionAborted(ILogger logger, string table, string reason);

    [LoggerMessage(7010, LogLevel.Error, "Maintenance step {Step} failed on {Table}; the run goes on")]
    public static partial void StepFailed(ILogger logger, string step, string table, Exception exception);

    [LoggerMessage(7011, LogLevel.Information, "Maintenance run {Outcome}: {Tables} table(s), {FailedSteps} failed step(s); audit ok={Ok} warning={Warning} missing_data={Missing} error={Error}")]
    public static partial void RunFinished(ILogger logger, string outcome, int tables, int failedSteps, int ok, int warning, int missing, int error);

    [LoggerMessage(7020, LogLevel.Warning, "Audit: {Table} needs a re-offload of [{From:o}, {To:o}) (revised candles); no offload job has taken the request")]
    public static partial void ReoffloadRequested(ILogger logger, string table, DateTimeOffset from, DateTimeOffset to);

    [LoggerMessage(7021, LogLevel.Error, "Audit of {Table} failed; recorded as error")]
    public static partial void AuditTableFailed(ILogger logger, string table, Exception exception);
}
