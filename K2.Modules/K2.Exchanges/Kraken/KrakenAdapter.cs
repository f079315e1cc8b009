using K2.Core.Trades;
using K2.Exchanges.Backfill;
using K2.Exchanges.Parsing;
using K2.Exchanges.Sessions;
using K2.Instruments;

namespace K2.Exchanges.Kraken;

/// <summary>
/// Kraken Spot: WebSocket v2 <c>trade</c> channel, <c>GET /0/public/Trades</c> for backfill. The WebSocket skips
/// trade ids that were never printed, so a gap can be absent rather than lost.
/// </summary>
internal sealed class KrakenAdapter(KrakenOptions options) : IExchangeAdapter
{
    public Exchange Exchange => Exchange.Kraken;

    public ExchangeOptions Options => options;

    public bool SkipsTradeIds => true;

    /// <summary>Side rule: <c>side</c> (<c>buy</c>/<c>sell</c>; <c>b</c>/<c>s</c> over REST) is already the taker's.</summary>
    public static TradeSide TakerSide(string rawSide) => rawSide == "buy" ? TradeSide.Buy : TradeSide.Sell;

    /// <summary>
    /// Symbol rule: WebSocket v2 speaks canonical asset names (<c>BTC/USD</c>, <c>DOGE/USD</c>) while instruments.yaml may
    /// list the v1/REST spelling (<c>XBT/USD</c>), so the wire name is the canonical one.
    /// </summary>
    public string WireName(Instrument instrument) => instrument.Canonical;

    /// <summary>Symbol rule of the REST API: legacy asset names without a separator (<c>XBTUSD</c>).</summary>
    public static string RestPair(Instrument instrument) =>
        SymbolRules.KrakenLegacyAsset(instrument.Base) + SymbolRules.KrakenLegacyAsset(instrument.Quote);

    public ITradeFrameParser CreateParser(SymbolTable symbols) => new KrakenTradeParser(symbols);

    public IExchangeProtocol CreateProtocol() => new KrakenProtocol(options.Snapshot);

    public IRestTradeSource CreateRestSource(RestClient rest) => new KrakenRestTrades(rest, options.RestUrl);
}
