using K2.Core.Trades;

namespace K2.Exchanges.Parsing;

/// <summary>The parser of each exchange.</summary>
internal static class TradeParsers
{
    public static Func<SymbolTable, ITradeFrameParser> Factory(Exchange exchange, CoinbaseSideMeaning coinbaseSide = CoinbaseSideMeaning.Maker) => exchange switch
    {
        Exchange.Binance => symbols => new BinanceTradeParser(symbols),
        Exchange.Kraken => symbols => new KrakenTradeParser(symbols),
        Exchange.Coinbase => symbols => new CoinbaseTradeParser(symbols, coinbaseSide),
        _ => throw new ArgumentOutOfRangeException(nameof(exchange), exchange, null),
    };
}
