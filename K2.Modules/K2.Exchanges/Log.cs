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

    [LoggerMessage(2011, LogLevel.Information, "{Exchange} resumes {Resumed} of {Symbols} symbols after their newest stored trades and reopens {Holes} gaps below them (stored since {Since})")]
    public static partial void Resumed(ILogger logger, string exchange, int resumed, int symbols, int holes, DateTimeOffset since);

    [LoggerMessage(2012, LogLevel.Debug, "{Exchange} {Symbol} resumes after trade {TradeId} of {ExchangeTimestampUs} µs")]
    public static partial void ResumePoint(ILogger logger, string exchange, string symbol, long tradeId, long exchangeTimestampUs);

    [LoggerMessage(2013, LogLevel.Warning, "{Exchange} resume points unavailable ({Error}); still asking for {RemainingSeconds} s")]
    public static partial void ResumeRetrying(ILogger logger, string exchange, string error, long remainingSeconds);

    [LoggerMessage(2014, LogLevel.Error, "{Exchange} resume points unavailable ({Error}); streaming starts without them, so trades missed while the daemon was down are not recovered")]
    public static partial void ResumeUnavailable(ILogger logger, string exchange, string error);

    [LoggerMessage(2015, LogLevel.Warning, "{Exchange} REST rate limit ({Status}): requests to it wait {DelayMilliseconds} ms")]
    public static partial void RestRateLimited(ILogger logger, string exchange, int status, long delayMilliseconds);

    [LoggerMessage(2016, LogLevel.Information, "{Exchange} gap {Symbol} ids {FirstMissing}..{LastMissing}: {Trades} trades recovered over REST in {Pages} pages")]
    public static partial void Backfilled(ILogger logger, string exchange, string symbol, long firstMissing, long lastMissing, int trades, int pages);

    [LoggerMessage(2018, LogLevel.Warning, "{Exchange} gap {Symbol} ids {FirstMissing}..{LastMissing} still open at the stop, {Missing} trades missing; the next start reopens it from the hot tier unless the exchange skips ids")]
    public static partial void GapLeftOpen(ILogger logger, string exchange, string symbol, long firstMissing, long lastMissing, long missing);

    [LoggerMessage(2017, LogLevel.Warning, "{Exchange} gap {Symbol} ids {FirstMissing}..{LastMissing}: {Missing} trades lost ({Why})")]
    public static partial void TradesLost(ILogger logger, string exchange, string symbol, long firstMissing, long lastMissing, long missing, string why);
}
