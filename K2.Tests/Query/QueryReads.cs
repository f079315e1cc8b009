using System.Globalization;
using System.Net;
using System.Text.Json;

namespace K2.Tests.Query;

/// <summary>A trade row as the API returned it.</summary>
internal sealed record ApiTrade(string Exchange, string Symbol, string Canonical, string TradeId, decimal Price, decimal Quantity, string Side, long TsMicros, string Tier);

/// <summary>A candle as the API returned it.</summary>
internal sealed record ApiCandle(string Exchange, long WindowStartMicros, decimal Open, decimal High, decimal Low, decimal Close, decimal Volume, decimal QuoteVolume,
    long TradeCount, decimal BuyVolume, decimal SellVolume, bool Closed, string Tier);

/// <summary>Reads of the API as a client makes them, and the same answers computed from the fixture trades.</summary>
internal static class QueryReads
{
    public static string Iso(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static string Url(string path, params (string Name, string? Value)[] query) =>
        path + "?" + string.Join("&", query.Where(q => q.Value is not null).Select(q => $"{q.Name}={Uri.EscapeDataString(q.Value!)}"));

    /// <summary>Every trade of the range, following the cursor; with the number of trades of each page.</summary>
    public static async Task<(List<ApiTrade> Trades, List<int> Pages)> AllTradesAsync(HttpClient http, string symbol, long from, long to, int limit, string? exchange = null,
        Func<int, Task>? betweenPages = null)
    {
        var trades = new List<ApiTrade>();
        string? cursor = null;
        var pages = new List<int>();
        do
        {
            using var response = await http.GetAsync(Url("/v1/trades", ("symbol", symbol), ("exchange", exchange), ("from", Iso(from)), ("to", Iso(to)),
                ("limit", limit.ToString(CultureInfo.InvariantCulture)), ("cursor", cursor)));
            var body = await response.Content.ReadAsStringAsync();
            response.StatusCode.Should().Be(HttpStatusCode.OK, body);
            using var page = JsonDocument.Parse(body);
            var data = page.RootElement.GetProperty("data").EnumerateArray().Select(Trade).ToList();
            page.RootElement.GetProperty("count").GetInt32().Should().Be(data.Count);
            trades.AddRange(data);
            cursor = page.RootElement.GetProperty("next_cursor").GetString();
            pages.Add(data.Count);
            if (cursor is not null && betweenPages is not null) { await betweenPages(pages.Count); }
        }
        while (cursor is not null);
        return (trades, pages);
    }

    public static ApiTrade Trade(JsonElement row) => new(
        row.GetProperty("exchange").GetString()!, row.GetProperty("symbol").GetString()!, row.GetProperty("canonical_symbol").GetString()!,
        row.GetProperty("trade_id").GetString()!, Dec(row.GetProperty("price").GetString()!), Dec(row.GetProperty("quantity").GetString()!),
        row.GetProperty("side").GetString()!, row.GetProperty("exchange_ts_us").GetInt64(), row.GetProperty("tier").GetString()!);

    public static async Task<List<ApiCandle>> CandlesAsync(HttpClient http, string symbol, string interval, long from, long to, string? exchange = null)
    {
        using var response = await http.GetAsync(Url("/v1/candles", ("symbol", symbol), ("interval", interval), ("exchange", exchange), ("from", Iso(from)), ("to", Iso(to))));
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        using var page = JsonDocument.Parse(body);
        return [.. page.RootElement.GetProperty("data").EnumerateArray().Select(c => new ApiCandle(
            c.GetProperty("exchange").GetString()!, c.GetProperty("window_start_us").GetInt64(), Dec(c.GetProperty("open").GetString()!), Dec(c.GetProperty("high").GetString()!),
            Dec(c.GetProperty("low").GetString()!), Dec(c.GetProperty("close").GetString()!), Dec(c.GetProperty("volume").GetString()!), Dec(c.GetProperty("quote_volume").GetString()!),
            c.GetProperty("trade_count").GetInt64(), Dec(c.GetProperty("buy_volume").GetString()!), Dec(c.GetProperty("sell_volume").GetString()!),
            c.GetProperty("closed").GetBoolean(), c.GetProperty("tier").GetString()!))];
    }

    /// <summary>The trades of <paramref name="canonical"/> in [from, to) in the API's order, from the fixture alone.</summary>
    public static List<FixtureTrade> Expected(IEnumerable<FixtureTrade> all, string canonical, long from, long to) =>
        [.. all.Where(t => t.Canonical == canonical && t.TsMicros >= from && t.TsMicros < to).OrderBy(t => t.Order)];

    /// <summary>Candles of <paramref name="intervalMicros"/> computed from the fixture trades: first/last by (time, id), extremes, sums.</summary>
    public static List<ApiCandle> ExpectedCandles(IEnumerable<FixtureTrade> trades, long intervalMicros, long now) =>
        [.. trades.GroupBy(t => (t.Exchange, Window: (long)Math.Floor(t.TsMicros / (double)intervalMicros) * intervalMicros))
            .Select(g =>
            {
                var ordered = g.OrderBy(t => t.Order).ToList();
                return new ApiCandle(g.Key.Exchange, g.Key.Window, ordered[0].Price, g.Max(t => t.Price), g.Min(t => t.Price), ordered[^1].Price,
                    g.Sum(t => t.Quantity), g.Sum(t => t.Price * t.Quantity), g.Count(), g.Where(t => t.Side == "BUY").Sum(t => t.Quantity),
                    g.Where(t => t.Side == "SELL").Sum(t => t.Quantity), g.Key.Window + intervalMicros <= now, "");
            })
            .OrderBy(c => c.WindowStartMicros).ThenBy(c => c.Exchange, StringComparer.Ordinal)];

    public static decimal Dec(string text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    public static object Comparable(ApiTrade t) => (t.Exchange, t.Symbol, t.Canonical, t.TradeId, t.Price, t.Quantity, t.Side, t.TsMicros);

    public static object Comparable(FixtureTrade t) => (t.Exchange, t.Symbol, t.Canonical, t.TradeId, t.Price, t.Quantity, t.Side, t.TsMicros);

    public static object Comparable(ApiCandle c) => (c.Exchange, c.WindowStartMicros, c.Open, c.High, c.Low, c.Close, c.Volume, c.QuoteVolume, c.TradeCount, c.BuyVolume, c.SellVolume);
}
