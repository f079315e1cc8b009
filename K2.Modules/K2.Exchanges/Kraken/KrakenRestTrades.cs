using K2.Exchanges.Backfill;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;

namespace K2.Exchanges.Kraken;

/// <summary>
/// Kraken <c>GET /0/public/Trades?pair=XBTUSD&amp;since=&lt;ns&gt;</c>: trades from the one just before the gap. Kraken's
/// WebSocket skips some ids, so a response that reaches past the gap without those ids proves they do not exist.
/// </summary>
internal sealed class KrakenRestTrades(HttpClient http, Uri baseUrl) : IRestTradeSource
{
    public async Task<RestPage> FetchAsync(SymbolTable symbols, WireSymbol symbol, Gap gap, CancellationToken cancellationToken)
    {
        var sinceNs = gap.BeforeTimestampUs * 1000;
        var body = await http.GetByteArrayAsync(new Uri(baseUrl, $"0/public/Trades?pair={KrakenAdapter.RestPair(symbol.Instrument)}&since={sinceNs}&count=1000"), cancellationToken);
        var rows = RestRows.Split(body, KrakenRestTradeParser.LocateRows);
        var (trades, rejects) = RestRows.Parse(body, rows, new KrakenRestTradeParser(symbols, symbol));
        return new RestPage(trades, rejects, trades.Count > 0 && trades.Max(t => t.Id) >= gap.LastMissing, body);
    }
}
