using K2.Core.Trades;

namespace K2.Instruments;

/// <summary>One configured instrument: the exchange's own symbol and its canonical BASE/QUOTE.</summary>
/// <param name="Symbol">The symbol as written in instruments.yaml (exchange-native, e.g. XBT/USD).</param>
public sealed record Instrument(Exchange Exchange, string Symbol, string Base, string Quote)
{
    public string Canonical { get; } = $"{Base}/{Quote}";
}
