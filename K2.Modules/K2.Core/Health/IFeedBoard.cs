namespace K2.Core.Health;

/// <summary>
/// The feeds of the ingestors running in this process, one per exchange and symbol: what the web console's feeds table
/// shows. Implemented by the Exchanges module, read by the Query module.
/// </summary>
public interface IFeedBoard
{
    IReadOnlyList<FeedState> Feeds();
}

/// <param name="Exchange">The exchange's wire name (<c>binance</c>).</param>
/// <param name="Symbol">The exchange's own symbol (<c>BTCUSDT</c>, <c>BTC/USD</c>, <c>BTC-USD</c>).</param>
/// <param name="CanonicalSymbol">BASE/QUOTE.</param>
/// <param name="Connected">The connection carrying the symbol is open and has received a message.</param>
/// <param name="TradesPerSecond">Unique trades per second over the last minute.</param>
/// <param name="RateHistory">Trades per second in each sampling interval of the last minute, oldest first.</param>
/// <param name="LastTradeAt">Local time of the last unique trade, null before the first.</param>
/// <param name="GapsOpen">Trade-id gaps open now.</param>
/// <param name="GapsFilled">Recently closed gaps whose every id arrived.</param>
/// <param name="GapsAbsent">Recently closed gaps the exchange confirmed empty.</param>
/// <param name="GapsLost">Recently closed gaps not recovered.</param>
public sealed record FeedState(
    string Exchange, string Symbol, string CanonicalSymbol, bool Connected, double TradesPerSecond, IReadOnlyList<double> RateHistory,
    DateTimeOffset? LastTradeAt, int GapsOpen, int GapsFilled, int GapsAbsent, int GapsLost);
