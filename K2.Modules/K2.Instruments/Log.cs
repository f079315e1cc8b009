using Microsoft.Extensions.Logging;

namespace K2.Instruments;

/// <summary>The instruments module's log events (ids 1000–1999).</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Error, "Ignoring invalid edit of {Path}; keeping the last good instruments: {Problems}")]
    public static partial void InvalidEdit(ILogger logger, string path, string problems);

    [LoggerMessage(1002, LogLevel.Information, "Reloaded {Path}: {Added} added, {Removed} removed, {Total} instruments")]
    public static partial void Reloaded(ILogger logger, string path, int added, int removed, int total);

    [LoggerMessage(1003, LogLevel.Error, "An instrument-change subscriber failed")]
    public static partial void SubscriberFailed(ILogger logger, Exception exception);
}
