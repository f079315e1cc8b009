using K2.Core.Trades;
using K2.Exchanges.Backfill;
using K2.Exchanges.Parsing;
using K2.Exchanges.Sessions;
using K2.Instruments;

namespace K2.Exchanges.Binance;

/// <summary>
/// Binance Spot: combined <c>@trade</c> streams, <c>GET /api/v3/historicalTrades</c> for backfill. Ids are
/// contiguous per symbol; the instruments.yaml symbol is the wire symbol.
/// </summary>
internal sealed class BinanceAdapter(BinanceOptions options) : IExchangeAdapter
{
    /// <summary>Below this a Binance time is in ms (until the year 5138); at or above, µs (<c>timeUnit=MICROSECOND</c>).</summary>
    private const long MicrosecondThreshold = 100_000_000_000_000;

    public Exchange Exchange => Exchange.Binance;

    public ExchangeOptions Options => options;

    public bool SkipsTradeIds => false;

    /// <summary>Side rule: <c>m</c> (<c>isBuyerMaker</c> over REST) = the buyer is the maker, so <c>true</c> means the taker sold.</summary>
    public static TradeSide TakerSide(bool buyerIsMaker) => buyerIsMaker ? TradeSide.Sell : TradeSide.Buy;

    /// <summary>A Binance time in µs, whichever unit it was sent in.</summary>
    public static long ToMicros(long time) => time < MicrosecondThreshold ? time * 1000 : time;

    public string WireName(Instrument instrument) => instrument.Symbol;

    public ITradeFrameParser CreateParser(SymbolTable symbols) => new BinanceTradeParser(symbols);

    public IExchangeProtocol CreateProtocol() => new BinanceProtocol(options);

    public IRestTradeSource CreateRestSource(RestClient rest) => new BinanceRestTrades(rest, options.RestUrl);
}
