using K2.Exchanges.Backfill;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;

namespace K2.Exchanges.Binance;

/// <summary>Binance <c>GET /api/v3/historicalTrades?symbol=&amp;fromId=&amp;limit=</c> (ids are contiguous per symbol).</summary>
internal sealed class BinanceRestTrades(HttpClient http, Uri baseUrl) : IRestTradeSource
{
    private const int MaxLimit = 1000;

    public async Task<RestPage> FetchAsync(SymbolTable symbols, WireSymbol symbol, Gap gap, CancellationToken cancellationToken)
    {
        var limit = (int)Math.Min(MaxLimit, gap.LastMissing - gap.FirstMissing + 1);
        var body = await http.GetByteArrayAsync(new Uri(baseUrl, $"api/v3/historicalTrades?symbol={symbol.Wire}&fromId={gap.FirstMissing}&limit={limit}"), cancellationToken);
        var rows = RestRows.Split(body, static (ref reader) => { });
        var (trades, rejects) = RestRows.Parse(body, rows, new BinanceRestTradeParser(symbols, symbol));
        return new RestPage(trades, rejects, trades.Count > 0 && trades[^1].Id >= gap.LastMissing, body);
    }
}
