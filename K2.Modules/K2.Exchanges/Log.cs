using Microsoft.Extensions.Logging;

namespace K2.Exchanges;

/// <summary>The exchanges module's log events (ids 2000–2999).</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Information, "{Exchange} connection {ConnectionId} open to {Host} with {SymbolCount} symbols")]
    public static partial void Connected(ILogger logger, string exchange, int connectionId, string host, int symbolCount);

    [LoggerMessage(2001, LogLevel.Warning, "{Exchange} connection {ConnectionId} ended ({Reason}); reconnecting in {DelayMilliseconds} ms")]
    public static partial void Reconnecting(ILogger logger, string exchange, int connectionId, string reason, long delayMilliseconds);

    [LoggerMessage(2002, LogLevel.Warning, "{Exchange} connection attempt failed: {Error}")]
    public static partial void ConnectFailed(ILogger logger, string exchange, string error);

    [LoggerMessage(2003, LogLevel.Information, "{Exchange} rotating connection {ConnectionId} ({Reason})")]
    public static partial void Rotating(ILogger logger, string exchange, int connectionId, string reason);

    [LoggerMessage(2004, LogLevel.Warning, "{Exchange} rejected frame ({Reason}): {Detail}")]
    public static partial void Rejected(ILogger logger, string exchange, string reason, string detail);

    [LoggerMessage(2005, LogLevel.Warning, "{Exchange} sequence jumped from {Previous} to {Current}: {Missing} messages dropped")]
    public static partial void SequenceDrop(ILogger logger, string exchange, long previous, long current, long missing);

    [LoggerMessage(2006, LogLevel.Warning, "{Exchange} gap {Symbol} ids {FirstMissing}..{LastMissing} opened")]
    public static partial void GapOpened(ILogger logger, string exchange, string symbol, long firstMissing, long lastMissing);

    [LoggerMessage(2007, LogLevel.Information, "{Exchange} gap {Symbol} ids {FirstMissing}..{LastMissing} closed: {Status}")]
    public static partial void GapClosed(ILogger logger, string exchange, string symbol, long firstMissing, long lastMissing, string status);

    [LoggerMessage(2008, LogLevel.Warning, "{Exchange} backfill of {Symbol} failed: {Error}")]
    public static partial void BackfillFailed(ILogger logger, string exchange, string symbol, string error);

    [LoggerMessage(2010, LogLevel.Error, "{Exchange} connection {ConnectionId} failed")]
    public static partial void ConnectionFailed(ILogger logger, string exchange, int connectionId, Exception exception);

    [LoggerMessage(2009, LogLevel.Information, "{Exchange} instruments changed: +{Added} -{Removed} symbols")]
    public static partial void InstrumentsChanged(ILogger logger, string exchange, int added, int removed);
}
