using K2.Exchanges.Backfill;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;

namespace K2.Exchanges.Coinbase;

/// <summary>
/// Coinbase <c>GET /api/v3/brokerage/market/products/{product}/ticker?limit=&amp;start=&amp;end=</c>: the public market
/// trades between the gap's neighbours' times, newest first.
/// </summary>
internal sealed class CoinbaseRestTrades(HttpClient http, Uri baseUrl, CoinbaseSideMeaning sideMeaning) : IRestTradeSource
{
    public async Task<RestPage> FetchAsync(SymbolTable symbols, WireSymbol symbol, Gap gap, CancellationToken cancellationToken)
    {
        var start = gap.BeforeTimestampUs / 1_000_000;
        var end = gap.AfterTimestampUs / 1_000_000 + 1;
        var body = await http.GetByteArrayAsync(new Uri(baseUrl, $"api/v3/brokerage/market/products/{symbol.Wire}/ticker?limit=1000&start={start}&end={end}"), cancellationToken);
        var rows = RestRows.Split(body, CoinbaseRestTradeParser.LocateRows);
        var (trades, rejects) = RestRows.Parse(body, rows, new CoinbaseRestTradeParser(symbols, sideMeaning));
        trades.RemoveAll(t => t.Trade.Symbol != symbol.Wire);
        trades.Sort((a, b) => a.Id.CompareTo(b.Id));
        return new RestPage(trades, rejects, trades.Count > 0 && trades[^1].Id >= gap.LastMissing, body);
    }
}
