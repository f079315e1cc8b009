using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;

namespace K2.Exchanges.Backfill;

/// <summary>A REST trade row that failed the same validation a frame gets.</summary>
/// <param name="Outcome">The <see cref="FrameKind.Rejected"/> outcome, with its reason and detail.</param>
/// <param name="RawText">The row as the exchange sent it.</param>
internal sealed record RejectedRow(FrameOutcome Outcome, string RawText);

/// <summary>One REST answer on the walk over a gap.</summary>
/// <param name="Trades">Rows that passed validation: trades of the gap's symbol, normalized like live ones.</param>
/// <param name="Rejects">Rows that did not; they are dead-lettered like rejected frames.</param>
/// <param name="CoversGap">
/// With this answer the walk has seen every trade the exchange still has in the gap (down to the backfill horizon):
/// ids still missing are not there. The walk ends with it.
/// </param>
/// <param name="Body">The answer's body, published as the raw frame of the trades recovered from it.</param>
internal sealed record RestPage(IReadOnlyList<ParsedTrade> Trades, IReadOnlyList<RejectedRow> Rejects, bool CoversGap, byte[] Body);

/// <summary>An exchange's public REST trades endpoint, paged the way the exchange pages it.</summary>
internal interface IRestTradeSource
{
    /// <summary>
    /// The answers of a walk over <paramref name="gap"/>'s ids, one request per answer, from the exchange's first trade in
    /// the gap — or the first at <paramref name="horizon"/> when the gap begins before it — to past its end. The walk
    /// ends early, without an answer that covers the gap, when the exchange has nothing further yet or its answers
    /// cannot be paged on.
    /// </summary>
    /// <param name="symbols">The exchange's current symbols, for rows that name theirs.</param>
    /// <exception cref="FrameRejectedException">An answer as a whole is malformed or an exchange error.</exception>
    /// <exception cref="HttpRequestException">A request failed.</exception>
    IAsyncEnumerable<RestPage> WalkAsync(SymbolTable symbols, WireSymbol symbol, Gap gap, DateTimeOffset horizon, CancellationToken cancellationToken);
}
