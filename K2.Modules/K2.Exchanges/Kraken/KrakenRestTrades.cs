using System.Runtime.CompilerServices;
using K2.Exchanges.Backfill;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;

namespace K2.Exchanges.Kraken;

/// <summary>
/// Kraken <c>GET /0/public/Trades?pair=XBTUSD&amp;since=&lt;ns&gt;&amp;count=1000</c>: up to 1000 trades after a time,
/// oldest first, walked forward from the trade just before the gap (or the horizon). Each next page starts 1 ns before
/// the newest trade's time, so trades sharing that time are not skipped (dedup drops the repeats). Kraken's WebSocket
/// skips some ids, so a walk that reaches past the gap without them proves they do not exist. A rate limit comes back
/// as <c>EGeneral:Too many requests</c> in a 200 answer's error list.
/// </summary>
internal sealed class KrakenRestTrades(RestClient rest, Uri baseUrl) : IRestTradeSource
{
    private const int PageSize = 1000;

    public async IAsyncEnumerable<RestPage> WalkAsync(SymbolTable symbols, WireSymbol symbol, Gap gap, DateTimeOffset horizon, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sinceNs = Math.Max(gap.BeforeTimestampUs, horizon.ToUnixTimeMilliseconds() * 1000) * 1000 - 1;
        var pair = KrakenAdapter.RestPair(symbol.Instrument);
        while (true)
        {
            var body = await rest.GetAsync(new Uri(baseUrl, $"0/public/Trades?pair={pair}&since={sinceNs}&count={PageSize}"), IsRateLimited, cancellationToken);
            var rows = RestRows.Split(body, KrakenRestTradeParser.LocateRows);
            var (trades, rejects) = RestRows.Parse(body, rows, new KrakenRestTradeParser(symbols, symbol));
            var covers = trades.Count > 0 && trades.Max(t => t.Id) >= gap.LastMissing;
            yield return new RestPage(trades, rejects, covers, body);
            if (covers || rows.Count < PageSize || trades.Count == 0) { yield break; }
            var next = trades.Max(t => t.Trade.ExchangeTimestampUs) * 1000 - 1;
            if (next <= sinceNs) { yield break; }
            sinceNs = next;
        }
    }

    private static bool IsRateLimited(byte[] body) =>
        body.AsSpan().IndexOf("EGeneral:Too many requests"u8) >= 0 || body.AsSpan().IndexOf("EAPI:Rate limit exceeded"u8) >= 0;
}
