using K2.Exchanges.Parsing;
using K2.Exchanges.Sessions;

namespace K2.Exchanges.Coinbase;

/// <summary>
/// Coinbase Advanced Trade <c>market_trades</c> plus <c>heartbeats</c> (one channel per message; the server
/// closes quiet channels). <c>sequence_num</c> counts every message of the connection, so holes are drops.
/// </summary>
internal sealed class CoinbaseProtocol : IExchangeProtocol
{
    private const int ProductsPerMessage = 100;

    public TimeSpan MessageSpacing => TimeSpan.FromMilliseconds(150);

    public (string Message, TimeSpan Interval)? KeepAlive => null;

    public bool TracksSequence => true;

    public int SymbolsPerConnection => int.MaxValue;

    public TimeSpan? MaxConnectionAge => null;

    public TimeSpan RotationOverlap => TimeSpan.Zero;

    public Uri ConnectUri(Uri baseUrl, IReadOnlyList<WireSymbol> symbols) => baseUrl;

    public IReadOnlyList<string> InitialSubscribe(IReadOnlyList<WireSymbol> symbols)
    {
        var messages = new List<string>(Subscribe(symbols))
        {
            JsonMessages.Write(w =>
            {
                w.WriteString("type", "subscribe");
                w.WriteString("channel", "heartbeats");
            }),
        };
        return messages;
    }

    public IReadOnlyList<string> Subscribe(IReadOnlyList<WireSymbol> symbols) => Request("subscribe", symbols);

    public IReadOnlyList<string> Unsubscribe(IReadOnlyList<WireSymbol> symbols) => Request("unsubscribe", symbols);

    private static List<string> Request(string type, IReadOnlyList<WireSymbol> symbols) =>
        symbols.Chunk(ProductsPerMessage).Select(batch => JsonMessages.Write(w =>
        {
            w.WriteString("type", type);
            w.WriteStrings("product_ids", batch.Select(s => s.Wire));
            w.WriteString("channel", "market_trades");
        })).ToList();
}
