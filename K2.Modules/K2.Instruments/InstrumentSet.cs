using System.Collections.Frozen;
using K2.Core.Trades;

namespace K2.Instruments;

/// <summary>An immutable, validated set of instruments: one version of instruments.yaml.</summary>
public sealed class InstrumentSet
{
    private readonly FrozenDictionary<Exchange, IReadOnlyList<Instrument>> _byExchange;
    private readonly FrozenDictionary<(Exchange, string), Instrument> _bySymbol;

    public InstrumentSet(IEnumerable<Instrument> instruments)
    {
        All = instruments.ToArray();
        _byExchange = ExchangeNames.All.ToFrozenDictionary(e => e, e => (IReadOnlyList<Instrument>)All.Where(i => i.Exchange == e).ToArray());
        _bySymbol = All.ToFrozenDictionary(i => (i.Exchange, i.Symbol));
    }

    public static InstrumentSet Empty { get; } = new([]);

    public IReadOnlyList<Instrument> All { get; }

    public IReadOnlyList<Instrument> For(Exchange exchange) => _byExchange[exchange];

    public bool TryFind(Exchange exchange, string symbol, out Instrument instrument) =>
        _bySymbol.TryGetValue((exchange, symbol), out instrument!);
}
