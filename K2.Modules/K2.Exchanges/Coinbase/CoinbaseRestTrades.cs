using System.Runtime.CompilerServices;
using K2.Exchanges.Backfill;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;

namespace K2.Exchanges.Coinbase;

/// <summary>
/// Coinbase <c>GET /api/v3/brokerage/market/products/{product}/ticker?limit=1000&amp;start=&amp;end=</c>: the newest
/// 1000 public trades between two times (Unix seconds), newest first. The walk goes backwards from the second after the
/// gap's last trade: while an answer is full, the next ends at the oldest trade's second (kept, so trades sharing it are
/// not skipped). It has covered the gap once it has seen the gap's last id and an answer is not full or reaches back to the
/// gap's first id.
/// </summary>
internal sealed class CoinbaseRestTrades(RestClient rest, Uri baseUrl, CoinbaseSideMeaning sideMeaning) : IRestTradeSource
{
    private const int PageSize = 1000;

    public async IAsyncEnumerable<RestPage> WalkAsync(SymbolTable symbols, WireSymbol symbol, Gap gap, DateTimeOffset horizon, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var start = Math.Max(gap.BeforeTimestampUs / 1_000_000, horizon.ToUnixTimeSeconds());
        var end = gap.AfterTimestampUs / 1_000_000 + 1;
        var reachedEnd = false;
        while (end > start)
        {
            var body = await rest.GetAsync(new Uri(baseUrl, $"api/v3/brokerage/market/products/{symbol.Wire}/ticker?limit={PageSize}&start={start}&end={end}"), null, cancellationToken);
            var rows = RestRows.Split(body, CoinbaseRestTradeParser.LocateRows);
            var (trades, rejects) = RestRows.Parse(body, rows, new CoinbaseRestTradeParser(symbols, sideMeaning));
            trades.RemoveAll(t => t.Trade.Symbol != symbol.Wire);
            // An answer without the gap's last trades is REST lagging the stream, not proof they are gone.
            reachedEnd |= trades.Count > 0 && trades.Max(t => t.Id) >= gap.LastMissing;
            var full = rows.Count >= PageSize;
            var covers = reachedEnd && (!full || trades.Min(t => t.Id) <= gap.FirstMissing);
            yield return new RestPage(trades, rejects, covers, body);
            if (covers || !reachedEnd || trades.Count == 0) { yield break; }
            var next = trades.Min(t => t.Trade.ExchangeTimestampUs) / 1_000_000 + 1;
            if (next >= end) { yield break; }
            end = next;
        }

        yield return new RestPage([], [], CoversGap: reachedEnd || gap.AfterTimestampUs / 1_000_000 < start, []);
    }
}
