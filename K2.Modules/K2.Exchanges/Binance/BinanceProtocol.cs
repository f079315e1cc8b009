using K2.Exchanges.Parsing;
using K2.Exchanges.Sessions;

namespace K2.Exchanges.Binance;

/// <summary>
/// Binance combined stream of raw <c>&lt;symbol&gt;@trade</c> with µs times. The first streams go in the URL,
/// the rest in paced SUBSCRIBE batches (5 incoming messages per second are allowed; we send at most 4). At most
/// <see cref="BinanceOptions.StreamsPerConnection"/> streams per connection, replaced before Binance's 24-hour cut.
/// </summary>
internal sealed class BinanceProtocol(BinanceOptions options) : IExchangeProtocol
{
    private const int StreamsInUrl = 200;
    private const int StreamsPerMessage = 200;
    private long _requestId;

    public TimeSpan MessageSpacing => TimeSpan.FromMilliseconds(250);

    public (string Message, TimeSpan Interval)? KeepAlive => null;

    public bool TracksSequence => false;

    public int SymbolsPerConnection => options.StreamsPerConnection;

    public TimeSpan? MaxConnectionAge => TimeSpan.FromMinutes(options.RotateAfterMinutes);

    public TimeSpan RotationOverlap => TimeSpan.FromMilliseconds(options.RotationOverlapMilliseconds);

    public static string StreamName(WireSymbol symbol) => $"{symbol.Wire.ToLowerInvariant()}@trade";

    public Uri ConnectUri(Uri baseUrl, IReadOnlyList<WireSymbol> symbols)
    {
        var streams = string.Join('/', symbols.Take(StreamsInUrl).Select(StreamName));
        return new Uri(baseUrl, $"stream?streams={streams}&timeUnit=MICROSECOND");
    }

    public IReadOnlyList<string> InitialSubscribe(IReadOnlyList<WireSymbol> symbols) => Request("SUBSCRIBE", symbols.Skip(StreamsInUrl));

    public IReadOnlyList<string> Subscribe(IReadOnlyList<WireSymbol> symbols) => Request("SUBSCRIBE", symbols);

    public IReadOnlyList<string> Unsubscribe(IReadOnlyList<WireSymbol> symbols) => Request("UNSUBSCRIBE", symbols);

    private List<string> Request(string method, IEnumerable<WireSymbol> symbols) =>
        symbols.Chunk(StreamsPerMessage).Select(batch => JsonMessages.Write(w =>
        {
            w.WriteString("method", method);
            w.WriteStrings("params", batch.Select(StreamName));
            w.WriteNumber("id", Interlocked.Increment(ref _requestId));
        })).ToList();
}
