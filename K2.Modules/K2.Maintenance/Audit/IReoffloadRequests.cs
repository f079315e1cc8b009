using K2.Offload.Tables;
using Microsoft.Extensions.Logging;

namespace K2.Maintenance.Audit;

/// <summary>
/// Where the audit asks for a window of a cold table to be offloaded again (gold candles revised after their offload).
/// The Offload module registers the implementation that re-runs its job; until then the request is logged.
/// </summary>
public interface IReoffloadRequests
{
    Task RequestAsync(ColdTable table, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}

internal sealed partial class LoggedReoffloadRequests(ILogger<LoggedReoffloadRequests> logger) : IReoffloadRequests
{
    public Task RequestAsync(ColdTable table, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        Log.Requested(logger, table.Name, from, to);
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(7020, LogLevel.Warning, "Audit: {Table} needs a re-offload of [{From:o}, {To:o}) (revised candles); no offload job has taken the request")]
        public static partial void Requested(ILogger logger, string table, DateTimeOffset from, DateTimeOffset to);
    }
}
