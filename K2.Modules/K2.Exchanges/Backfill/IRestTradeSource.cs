using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;

namespace K2.Exchanges.Backfill;

/// <summary>What a REST trades query returned for a gap.</summary>
/// <param name="Trades">Trades of the gap's symbol, normalized like live ones.</param>
/// <param name="CoversGap">The response reaches past the gap's last missing id, so ids not in it do not exist.</param>
/// <param name="RawResponse">The response body, published as the raw frame of the recovered trades.</param>
internal sealed record RestTrades(IReadOnlyList<ParsedTrade> Trades, bool CoversGap, byte[] RawResponse);

/// <summary>An exchange's public REST trades endpoint, asked for the trades of one gap.</summary>
internal interface IRestTradeSource
{
    Task<RestTrades> FetchAsync(WireSymbol symbol, Gap gap, CancellationToken cancellationToken);
}
