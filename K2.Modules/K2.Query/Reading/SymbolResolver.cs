using K2.Core.Trades;
using K2.Instruments;

namespace K2.Query.Reading;

/// <summary>One symbol on the venues it was asked for: the canonical symbol and the exchanges that list it.</summary>
internal sealed record ResolvedSymbol(string Canonical, IReadOnlyList<Exchange> Exchanges);

/// <summary>
/// Turns <c>symbol</c> (canonical <c>BTC/USD</c> or an exchange's own <c>BTCUSDT</c>, any case) and the optional
/// <c>exchange</c> into the instruments configured in instruments.yaml; anything else is a 400 naming what is known.
/// </summary>
internal sealed class SymbolResolver(IInstrumentRegistry registry)
{
    public static Exchange? ParseExchange(string? text)
    {
        if (string.IsNullOrEmpty(text)) { return null; }
        return ExchangeNames.TryParse(text, out var exchange) && text == exchange.ToWire()
            ? exchange
            : throw new BadParameterException("exchange", $"'{text}' is not an exchange; allowed: {ExchangeNames.Allowed}");
    }

    public ResolvedSymbol Resolve(string? symbol, Exchange? exchange)
    {
        if (string.IsNullOrWhiteSpace(symbol)) { throw new BadParameterException("symbol", "is required: a canonical symbol such as BTC/USD or an exchange's own such as BTCUSDT"); }
        var instruments = registry.Current.All.Where(i => exchange is null || i.Exchange == exchange).ToList();
        var byCanonical = instruments.Where(i => string.Equals(i.Canonical, symbol, StringComparison.OrdinalIgnoreCase)).ToList();
        var matches = byCanonical.Count > 0 ? byCanonical : instruments.Where(i => string.Equals(i.Symbol, symbol, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0)
        {
            var known = instruments.Select(i => i.Canonical).Distinct().Order(StringComparer.Ordinal).ToList();
            var where = exchange is null ? "" : $" on {exchange.Value.ToWire()}";
            throw new BadParameterException("symbol", $"'{symbol}' is not configured{where}; known canonical symbols: {(known.Count == 0 ? "none" : string.Join(", ", known))} (or an exchange's own symbol from instruments.yaml)");
        }

        var canonical = matches[0].Canonical;
        return new ResolvedSymbol(canonical, [.. matches.Where(i => i.Canonical == canonical).Select(i => i.Exchange).Distinct().Order()]);
    }
}
