namespace K2.Core.Trades;

/// <summary>The newest trade of one symbol that is durably stored: ingest resumes after it.</summary>
/// <param name="Symbol">The exchange's own symbol, as in <see cref="NormalizedTrade.Symbol"/>.</param>
/// <param name="TradeId">The exchange's trade id as a number (every ingested exchange's ids are integers rising per symbol).</param>
/// <param name="ExchangeTimestampUs">That trade's exchange time, µs since the Unix epoch.</param>
public readonly record struct TradeResumePoint(string Symbol, long TradeId, long ExchangeTimestampUs);

/// <summary>Trade ids missing between two stored trades of one symbol, with those trades' exchange times (µs).</summary>
public readonly record struct StoredTradeHole(string Symbol, long FirstMissing, long LastMissing, long BeforeTimestampUs, long AfterTimestampUs);

/// <summary>
/// Where ingest resumes after a restart: per (exchange, symbol), the newest trade that outlives the daemon, and the ids
/// missing below it. The ingestors never publish a trade at or below it again, and recover the ones after it and in the
/// holes over REST.
/// </summary>
public interface ITradeResumePoints
{
    /// <summary>The resume point of every symbol of <paramref name="exchange"/> that has one among the trades stored since <paramref name="since"/>.</summary>
    Task<IReadOnlyList<TradeResumePoint>> NewestAsync(Exchange exchange, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>
    /// The holes among the trades of <paramref name="exchange"/> stored since <paramref name="since"/>: trades lost after
    /// newer ones were stored (a gap still open when the daemon stopped, records the embedded Kafka cluster took with it).
    /// </summary>
    Task<IReadOnlyList<StoredTradeHole>> HolesAsync(Exchange exchange, DateTimeOffset since, CancellationToken cancellationToken);
}
