namespace K2.Core.Trades;

/// <summary>The newest trade of one symbol that is durably stored: ingest resumes after it.</summary>
/// <param name="Symbol">The exchange's own symbol, as in <see cref="NormalizedTrade.Symbol"/>.</param>
/// <param name="TradeId">The exchange's trade id as a number (every ingested exchange's ids are integers rising per symbol).</param>
/// <param name="ExchangeTimestampUs">That trade's exchange time, µs since the Unix epoch.</param>
public readonly record struct TradeResumePoint(string Symbol, long TradeId, long ExchangeTimestampUs);

/// <summary>
/// Where ingest resumes after a restart: per (exchange, symbol), the newest trade that outlives the daemon. The
/// ingestors never publish a trade at or below it again, and recover the ones after it over REST.
/// </summary>
public interface ITradeResumePoints
{
    /// <summary>The resume point of every symbol of <paramref name="exchange"/> that has one among the trades stored since <paramref name="since"/>.</summary>
    Task<IReadOnlyList<TradeResumePoint>> NewestAsync(Exchange exchange, DateTimeOffset since, CancellationToken cancellationToken);
}
