using System.Globalization;
using System.Text.Json;
using K2.Core.Trades;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;

namespace K2.Exchanges.Backfill;

/// <summary>Binance <c>GET /api/v3/historicalTrades?symbol=&amp;fromId=&amp;limit=</c> (ids are contiguous per symbol).</summary>
internal sealed class BinanceRestTrades(HttpClient http, Uri baseUrl) : IRestTradeSource
{
    private const int MaxLimit = 1000;

    public async Task<RestTrades> FetchAsync(WireSymbol symbol, Gap gap, CancellationToken cancellationToken)
    {
        var limit = (int)Math.Min(MaxLimit, gap.LastMissing - gap.FirstMissing + 1);
        var body = await http.GetByteArrayAsync(new Uri(baseUrl, $"api/v3/historicalTrades?symbol={symbol.Wire}&fromId={gap.FirstMissing}&limit={limit}"), cancellationToken);
        using var doc = JsonDocument.Parse(body);
        var trades = new List<ParsedTrade>();
        foreach (var t in doc.RootElement.EnumerateArray())
        {
            var id = t.GetProperty("id").GetInt64();
            var buyerIsMaker = t.GetProperty("isBuyerMaker").GetBoolean();
            var trade = new NormalizedTrade(Exchange.Binance, symbol.Wire, symbol.Canonical, id.ToString(CultureInfo.InvariantCulture),
                RestJson.Decimal(t.GetProperty("price")), RestJson.Decimal(t.GetProperty("qty")), buyerIsMaker ? TradeSide.Sell : TradeSide.Buy,
                t.GetProperty("time").GetInt64() * 1000, 0, new TradeExtras(IsBuyerMaker: buyerIsMaker));
            trades.Add(new ParsedTrade(trade, id));
        }

        return new RestTrades(trades, trades.Count > 0 && trades[^1].Id >= gap.LastMissing, body);
    }
}
