using System.Runtime.CompilerServices;
using K2.Exchanges.Backfill;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;

namespace K2.Exchanges.Binance;

/// <summary>
/// Binance <c>GET /api/v3/historicalTrades?symbol=&amp;fromId=&amp;limit=</c>: up to 1000 trades from an id, oldest
/// first (ids are contiguous per symbol), walked forward from the gap's first id by as many ids as rows came back. When the gap begins before the
/// horizon, the walk starts at the first trade since the horizon, found with
/// <c>GET /api/v3/aggTrades?symbol=&amp;startTime=&amp;limit=1</c> (its <c>f</c>, first trade id).
/// </summary>
internal sealed class BinanceRestTrades(RestClient rest, Uri baseUrl) : IRestTradeSource
{
    private const int MaxLimit = 1000;

    public async IAsyncEnumerable<RestPage> WalkAsync(SymbolTable symbols, WireSymbol symbol, Gap gap, DateTimeOffset horizon, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var fromId = gap.FirstMissing;
        if (gap.BeforeTimestampUs < horizon.ToUnixTimeMilliseconds() * 1000)
        {
            var firstSinceHorizon = await FirstTradeIdSinceAsync(symbol, horizon, cancellationToken);
            if (firstSinceHorizon is not { } id || id > gap.LastMissing)
            {
                yield return new RestPage([], [], CoversGap: true, []);
                yield break;
            }

            fromId = Math.Max(fromId, id);
        }

        while (true)
        {
            var limit = (int)Math.Min(MaxLimit, gap.LastMissing - fromId + 1);
            var body = await rest.GetAsync(new Uri(baseUrl, $"api/v3/historicalTrades?symbol={symbol.Wire}&fromId={fromId}&limit={limit}"), null, cancellationToken);
            var rows = RestRows.Split(body, static (ref _) => { });
            var (trades, rejects) = RestRows.Parse(body, rows, new BinanceRestTradeParser(symbols, symbol));
            var newest = trades.Count > 0 ? trades.Max(t => t.Id) : fromId - 1;

            // Rows are distinct ids from fromId up: as many rows as the ids asked for reach the gap's end, even when the
            // last rows were rejected and their ids unread.
            var covers = newest >= gap.LastMissing || rows.Count >= gap.LastMissing - fromId + 1;
            yield return new RestPage(trades, rejects, covers, body);
            if (covers || rows.Count < limit) { yield break; }
            fromId = Math.Max(newest + 1, fromId + rows.Count);
        }
    }

    private async Task<long?> FirstTradeIdSinceAsync(WireSymbol symbol, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var body = await rest.GetAsync(new Uri(baseUrl, $"api/v3/aggTrades?symbol={symbol.Wire}&startTime={since.ToUnixTimeMilliseconds()}&limit=1"), null, cancellationToken);
        return BinanceRestTradeParser.FirstTradeIdOfAggregate(body);
    }
}
