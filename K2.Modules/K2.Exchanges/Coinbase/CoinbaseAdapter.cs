using K2.Core.Trades;
using K2.Exchanges.Backfill;
using K2.Exchanges.Parsing;
using K2.Exchanges.Sessions;
using K2.Instruments;

namespace K2.Exchanges.Coinbase;

/// <summary>
/// Coinbase Advanced Trade: <c>market_trades</c> plus <c>heartbeats</c>, <c>GET /api/v3/brokerage/market/products/{id}/ticker</c>
/// for backfill. The instruments.yaml symbol (<c>BTC-USD</c>) is the product id.
/// </summary>
internal sealed class CoinbaseAdapter(CoinbaseOptions options) : IExchangeAdapter
{
    public Exchange Exchange => Exchange.Coinbase;

    public ExchangeOptions Options => options;

    public bool SkipsTradeIds => false;

    /// <summary>
    /// Side rule, for the WebSocket and REST alike: <c>side</c> is the maker's (taker = opposite) unless
    /// <see cref="CoinbaseOptions.SideMeaning"/> says it is the taker's.
    /// </summary>
    public static TradeSide TakerSide(bool sideIsBuy, CoinbaseSideMeaning meaning) =>
        sideIsBuy == (meaning == CoinbaseSideMeaning.Taker) ? TradeSide.Buy : TradeSide.Sell;

    public string WireName(Instrument instrument) => instrument.Symbol;

    public ITradeFrameParser CreateParser(SymbolTable symbols) => new CoinbaseTradeParser(symbols, options.SideMeaning);

    public IExchangeProtocol CreateProtocol() => new CoinbaseProtocol();

    public IRestTradeSource CreateRestSource(RestClient rest) => new CoinbaseRestTrades(rest, options.RestUrl, options.SideMeaning);
}
