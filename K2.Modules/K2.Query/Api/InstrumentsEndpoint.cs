using K2.Core.Trades;
using K2.Instruments;
using K2.Query.Reading;
using Microsoft.AspNetCore.Http;

namespace K2.Query.Api;

/// <summary>A tier's time range in the API's time forms.</summary>
internal sealed record TierRange(string FirstTrade, long FirstTradeUs, string LastTrade, long LastTradeUs)
{
    public static TierRange? Of(TimeRange? range) => range is { } r
        ? new TierRange(TimeParameter.Iso(r.FirstMicros), r.FirstMicros, TimeParameter.Iso(r.LastMicros), r.LastMicros)
        : null;

    public static TimeRange? Union(IEnumerable<TimeRange> ranges) =>
        ranges.Any() ? new TimeRange(ranges.Min(r => r.FirstMicros), ranges.Max(r => r.LastMicros)) : null;
}

internal sealed record InstrumentEntry(string Exchange, string Symbol, string CanonicalSymbol, string Base, string Quote, TierRange? Hot, TierRange? Cold);

internal sealed record InstrumentList(IReadOnlyList<InstrumentEntry> Data, int Count);

internal sealed record ExchangeEntry(string Exchange, int Instruments, IReadOnlyList<string> CanonicalSymbols, TierRange? Hot, TierRange? Cold);

internal sealed record ExchangeList(IReadOnlyList<ExchangeEntry> Data, int Count);

/// <summary><c>GET /v1/instruments</c> and <c>GET /v1/exchanges</c>: what instruments.yaml configures, and per symbol what each tier holds.</summary>
internal static class InstrumentsEndpoint
{
    public static async Task<InstrumentList> InstrumentsAsync(HttpContext http, QueryContext context, IInstrumentRegistry registry, string? exchange)
    {
        RequestParameters.OnlyKnown(http.Request, "exchange");
        var venue = SymbolResolver.ParseExchange(exchange);
        var (hot, cold) = await context.Ranges.ReadAsync(http.RequestAborted).ConfigureAwait(false);
        var entries = registry.Current.All
            .Where(i => venue is null || i.Exchange == venue)
            .OrderBy(i => i.Exchange).ThenBy(i => i.Canonical, StringComparer.Ordinal)
            .Select(i => new InstrumentEntry(i.Exchange.ToWire(), i.Symbol, i.Canonical, i.Base, i.Quote,
                TierRange.Of(hot.TryGetValue((i.Exchange.ToWire(), i.Canonical), out var h) ? h : null),
                TierRange.Of(cold.TryGetValue((i.Exchange.ToWire(), i.Canonical), out var c) ? c : null)))
            .ToList();
        return new InstrumentList(entries, entries.Count);
    }

    public static async Task<ExchangeList> ExchangesAsync(HttpContext http, QueryContext context, IInstrumentRegistry registry)
    {
        RequestParameters.OnlyKnown(http.Request);
        var (hot, cold) = await context.Ranges.ReadAsync(http.RequestAborted).ConfigureAwait(false);
        var entries = ExchangeNames.All
            .Select(e => (Exchange: e, Instruments: registry.Current.For(e)))
            .Where(e => e.Instruments.Count > 0)
            .Select(e => new ExchangeEntry(e.Exchange.ToWire(), e.Instruments.Count, [.. e.Instruments.Select(i => i.Canonical).Order(StringComparer.Ordinal)],
                TierRange.Of(TierRange.Union(hot.Where(r => r.Key.Exchange == e.Exchange.ToWire()).Select(r => r.Value))),
                TierRange.Of(TierRange.Union(cold.Where(r => r.Key.Exchange == e.Exchange.ToWire()).Select(r => r.Value)))))
            .ToList();
        return new ExchangeList(entries, entries.Count);
    }
}
