using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;

namespace K2.Exchanges.Backfill;

/// <summary>A REST trade row that failed the same validation a frame gets.</summary>
/// <param name="Outcome">The <see cref="FrameKind.Rejected"/> outcome, with its reason and detail.</param>
/// <param name="RawText">The row as the exchange sent it.</param>
internal sealed record RejectedRow(FrameOutcome Outcome, string RawText);

/// <summary>What a REST trades query returned for a gap.</summary>
/// <param name="Trades">Rows that passed validation: trades of the gap's symbol, normalized like live ones.</param>
/// <param name="Rejects">Rows that did not; they are dead-lettered like rejected frames.</param>
/// <param name="CoversGap">The response reaches past the gap's last missing id, so ids not in it do not exist.</param>
/// <param name="Body">The response body, published as the raw frame of the recovered trades.</param>
internal sealed record RestPage(IReadOnlyList<ParsedTrade> Trades, IReadOnlyList<RejectedRow> Rejects, bool CoversGap, byte[] Body);

/// <summary>An exchange's public REST trades endpoint, asked for the trades of one gap.</summary>
internal interface IRestTradeSource
{
    /// <param name="symbols">The exchange's current symbols, for rows that name theirs.</param>
    /// <exception cref="FrameRejectedException">The answer as a whole is malformed or an exchange error.</exception>
    Task<RestPage> FetchAsync(SymbolTable symbols, WireSymbol symbol, Gap gap, CancellationToken cancellationToken);
}
