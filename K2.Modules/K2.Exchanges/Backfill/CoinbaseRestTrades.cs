using System.Text.Json;
using K2.Core.Trades;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;

namespace K2.Exchanges.Backfill;

/// <summary>
/// Coinbase <c>GET /api/v3/brokerage/market/products/{product}/ticker?limit=&amp;start=&amp;end=</c> (public market trades
/// between the gap's neighbours' times), sides read with the same meaning as the WebSocket's.
/// </summary>
internal sealed class CoinbaseRestTrades(HttpClient http, Uri baseUrl, CoinbaseSideMeaning sideMeaning) : IRestTradeSource
{
    public async Task<RestTrades> FetchAsync(WireSymbol symbol, Gap gap, CancellationToken cancellationToken)
    {
        var start = gap.BeforeTimestampUs / 1_000_000;
        var end = gap.AfterTimestampUs / 1_000_000 + 1;
        var body = await http.GetByteArrayAsync(new Uri(baseUrl, $"api/v3/brokerage/market/products/{symbol.Wire}/ticker?limit=1000&start={start}&end={end}"), cancellationToken);
        using var doc = JsonDocument.Parse(body);
        var trades = new List<ParsedTrade>();
        foreach (var t in doc.RootElement.GetProperty("trades").EnumerateArray())
        {
            if (t.GetProperty("product_id").GetString() != symbol.Wire) { continue; }
            var id = RestJson.Int64(t.GetProperty("trade_id"));
            var rawSide = t.GetProperty("side").GetString() == "BUY" ? "BUY" : "SELL";
            var takerBuys = (rawSide == "BUY") == (sideMeaning == CoinbaseSideMeaning.Taker);
            var trade = new NormalizedTrade(Exchange.Coinbase, symbol.Wire, symbol.Canonical, id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                RestJson.Decimal(t.GetProperty("price")), RestJson.Decimal(t.GetProperty("size")), takerBuys ? TradeSide.Buy : TradeSide.Sell,
                RestJson.Rfc3339Micros(t.GetProperty("time")), 0, new TradeExtras(RawSide: rawSide));
            trades.Add(new ParsedTrade(trade, id));
        }

        trades.Sort((a, b) => a.Id.CompareTo(b.Id));
        return new RestTrades(trades, trades.Count > 0 && trades[^1].Id >= gap.LastMissing, body);
    }
}
