using K2.Exchanges.Parsing;
using K2.Exchanges.Sessions;

namespace K2.Exchanges.Kraken;

/// <summary>
/// Kraken WebSocket v2 <c>trade</c> channel with an explicit <c>snapshot</c> (the docs disagree on its
/// default), subscribed in modest batches, and an application ping every 20 s to stay within the idle limit.
/// </summary>
internal sealed class KrakenProtocol(bool snapshot) : IExchangeProtocol
{
    private const int SymbolsPerMessage = 50;
    private long _requestId;

    public TimeSpan MessageSpacing => TimeSpan.FromMilliseconds(100);

    public (string Message, TimeSpan Interval)? KeepAlive => ("{\"method\":\"ping\"}", TimeSpan.FromSeconds(20));

    public bool TracksSequence => false;

    public int SymbolsPerConnection => int.MaxValue;

    public TimeSpan? MaxConnectionAge => null;

    public TimeSpan RotationOverlap => TimeSpan.Zero;

    public Uri ConnectUri(Uri baseUrl, IReadOnlyList<WireSymbol> symbols) => baseUrl;

    public IReadOnlyList<string> InitialSubscribe(IReadOnlyList<WireSymbol> symbols) => Subscribe(symbols);

    public IReadOnlyList<string> Subscribe(IReadOnlyList<WireSymbol> symbols) => Request("subscribe", symbols, snapshot);

    public IReadOnlyList<string> Unsubscribe(IReadOnlyList<WireSymbol> symbols) => Request("unsubscribe", symbols, null);

    private List<string> Request(string method, IReadOnlyList<WireSymbol> symbols, bool? withSnapshot) =>
        symbols.Chunk(SymbolsPerMessage).Select(batch => JsonMessages.Write(w =>
        {
            w.WriteString("method", method);
            w.WriteStartObject("params");
            w.WriteString("channel", "trade");
            w.WriteStrings("symbol", batch.Select(s => s.Wire));
            if (withSnapshot is { } value) { w.WriteBoolean("snapshot", value); }
            w.WriteEndObject();
            w.WriteNumber("req_id", Interlocked.Increment(ref _requestId));
        })).ToList();
}
