using K2.Offload;
using K2.Offload.Runs;
using K2.Offload.Tables;
using Microsoft.Extensions.Logging;

namespace K2.Maintenance.Audit;

/// <summary>
/// Where the audit asks for a window of a cold table to be offloaded again (gold candles revised after their offload).
/// With the offload in the process (its <see cref="ICandleRewrite"/>), the window is rewritten from the hot tier at once;
/// without it the request is logged.
/// </summary>
public interface IReoffloadRequests
{
    Task RequestAsync(ColdTable table, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}

internal sealed class OffloadReoffloadRequests(ICandleRewrite rewrite) : IReoffloadRequests
{
    public async Task RequestAsync(ColdTable table, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var result = await rewrite.RewriteAsync(table, from, to, cancellationToken).ConfigureAwait(false);
        if (result.Outcome == OffloadOutcome.Failed)
        {
            throw new InvalidOperationException($"re-offload of {table.Name} [{from:o}, {to:o}) failed: {result.Error}");
        }
    }
}

internal sealed class LoggedReoffloadRequests(ILogger<LoggedReoffloadRequests> logger) : IReoffloadRequests
{
    public Task RequestAsync(ColdTable table, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        Log.ReoffloadRequested(logger, table.Name, from, to);
        return Task.CompletedTask;
    }
}
