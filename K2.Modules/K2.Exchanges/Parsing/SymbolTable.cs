using System.Collections.Frozen;
using K2.Core.Trades;
using K2.Instruments;

namespace K2.Exchanges.Parsing;

/// <summary>One instrument as it appears on an exchange's wire.</summary>
/// <param name="Wire">The symbol the exchange sends and expects in subscriptions (BTCUSDT, BTC/USD, BTC-USD).</param>
internal sealed record WireSymbol(string Wire, string Canonical, Instrument Instrument);

/// <summary>
/// The wire symbols of one exchange from the instruments registry, named by the exchange's symbol rule
/// (<see cref="IExchangeAdapter.WireName"/>). A symbol not in the table is unknown: it is rejected, never guessed.
/// </summary>
internal sealed class SymbolTable
{
    private readonly FrozenDictionary<string, WireSymbol>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public SymbolTable(Exchange exchange, IEnumerable<Instrument> instruments, Func<Instrument, string> wireName)
    {
        Exchange = exchange;
        var symbols = instruments.Where(i => i.Exchange == exchange)
            .Select(i => new WireSymbol(wireName(i), i.Canonical, i))
            .DistinctBy(s => s.Wire, StringComparer.Ordinal)
            .ToArray();
        All = symbols;
        _lookup = symbols.ToFrozenDictionary(s => s.Wire, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public static SymbolTable From(IExchangeAdapter adapter, InstrumentSet set) => new(adapter.Exchange, set.For(adapter.Exchange), adapter.WireName);

    public Exchange Exchange { get; }

    public IReadOnlyList<WireSymbol> All { get; }

    public bool TryFind(ReadOnlySpan<byte> utf8Symbol, out WireSymbol symbol)
    {
        symbol = null!;
        if (utf8Symbol.Length > 64) { return false; }
        Span<char> chars = stackalloc char[utf8Symbol.Length];
        for (var i = 0; i < utf8Symbol.Length; i++)
        {
            if (utf8Symbol[i] >= 0x80) { return false; }
            chars[i] = (char)utf8Symbol[i];
        }

        return _lookup.TryGetValue(chars, out symbol!);
    }
}
