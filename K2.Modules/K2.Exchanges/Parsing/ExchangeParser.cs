using K2.Core.Trades;
using K2.Instruments;

namespace K2.Exchanges.Parsing;

/// <summary>
/// One exchange's frame parser on its own: the parse and normalize step of the live path, without dedup and the gap
/// ledger. Public for <c>k2 bench normalize</c>, which measures it per exchange; not thread-safe.
/// </summary>
public sealed class ExchangeParser
{
    private readonly ITradeFrameParser _parser;
    private readonly List<ParsedTrade> _trades = new(16);

    private ExchangeParser(ITradeFrameParser parser) => _parser = parser;

    /// <param name="instruments">The instruments whose symbols the parser accepts; any other symbol is rejected.</param>
    /// <param name="options">The exchanges' options, which make the exchange's adapter (defaults when omitted).</param>
    public static ExchangeParser For(Exchange exchange, InstrumentSet instruments, ExchangesOptions? options = null)
    {
        var adapter = (options ?? new ExchangesOptions()).Adapter(exchange);
        return new(adapter.CreateParser(SymbolTable.From(adapter, instruments)));
    }

    /// <summary>Parses one text frame; true when it was a trade frame (control frames and rejects are false).</summary>
    /// <param name="receiveTimestampUs">When the frame arrived, Unix microseconds.</param>
    public bool Parse(ReadOnlySpan<byte> frame, long receiveTimestampUs)
    {
        _trades.Clear();
        return _parser.Parse(frame, receiveTimestampUs, _trades).Kind == FrameKind.Trades;
    }
}
