using System.Globalization;
using System.Text.Json;
using K2.Core.Trades;
using K2.Core.Time;
using K2.Tests.Support;

namespace K2.Tests.ClickHouse;

/// <summary>
/// Trades for the hot-tier tests: the shared exchange fixtures normalized by a deliberately small reader
/// (the real parsers belong to the Exchanges module), plus hand-written trades for the edge cases the
/// fixtures lack: equal timestamps, ids of different lengths, a day boundary, 18-decimal quantities.
/// </summary>
internal static class FixtureTrades
{
    public static IReadOnlyList<NormalizedTrade> All() =>
        Binance().Concat(Kraken()).Concat(Coinbase()).Concat(EdgeCases())
            .DistinctBy(t => (t.Exchange, t.Symbol, t.TradeId))
            .ToList();

    /// <summary>Ties at one microsecond on both sides of midnight, decided by trade id (shorter id first).</summary>
    public static IReadOnlyList<NormalizedTrade> EdgeCases()
    {
        var lastMicroOfDay = UnixMicros.FromDateTimeOffset(new DateTimeOffset(2026, 2, 17, 23, 59, 59, TimeSpan.Zero)) + 999_999;
        var midnight = lastMicroOfDay + 1;
        return
        [
            Edge("100", "2081.5", "0.1", TradeSide.Buy, lastMicroOfDay),
            Edge("99", "2081.25", "0.000000000000000001", TradeSide.Sell, lastMicroOfDay),
            Edge("101", "2081.75", "1.5", TradeSide.Buy, lastMicroOfDay - 1),
            Edge("1000", "2082", "0.3", TradeSide.Sell, midnight),
            Edge("998", "2081.9", "0.2", TradeSide.Buy, midnight),
            Edge("999", "2081.95", "0.25", TradeSide.Sell, midnight + 60_000_000),
        ];
    }

    private static NormalizedTrade Edge(string id, string price, string quantity, TradeSide side, long timeUs) =>
        new(Exchange.Coinbase, "ETH-USD", "ETH/USD", id, decimal.Parse(price, CultureInfo.InvariantCulture), decimal.Parse(quantity, CultureInfo.InvariantCulture),
            side, timeUs, timeUs + 1500, new TradeExtras(RawSide: side == TradeSide.Buy ? "SELL" : "BUY", SequenceNumber: 7));

    private static IEnumerable<NormalizedTrade> Binance()
    {
        foreach (var root in Lines("binance"))
        {
            if (!root.TryGetProperty("data", out var data) || data.GetProperty("e").GetString() != "trade") { continue; }
            var symbol = data.GetProperty("s").GetString()!;
            var buyerIsMaker = data.GetProperty("m").GetBoolean();
            var time = data.GetProperty("T").GetInt64() * 1000;
            yield return new NormalizedTrade(Exchange.Binance, symbol, $"{symbol[..^4]}/USDT", data.GetProperty("t").GetInt64().ToString(CultureInfo.InvariantCulture),
                Decimal(data.GetProperty("p")), Decimal(data.GetProperty("q")), buyerIsMaker ? TradeSide.Sell : TradeSide.Buy, time, time + 2000,
                new TradeExtras(IsBuyerMaker: buyerIsMaker, EventTimestampUs: data.GetProperty("E").GetInt64() * 1000));
        }
    }

    private static IEnumerable<NormalizedTrade> Kraken()
    {
        foreach (var root in Lines("kraken"))
        {
            if (!root.TryGetProperty("channel", out var channel) || channel.GetString() != "trade") { continue; }
            var snapshot = root.GetProperty("type").GetString() == "snapshot";
            foreach (var trade in root.GetProperty("data").EnumerateArray())
            {
                var symbol = trade.GetProperty("symbol").GetString()!;
                var side = trade.GetProperty("side").GetString()!;
                var time = Micros(trade.GetProperty("timestamp").GetString()!);
                yield return new NormalizedTrade(Exchange.Kraken, symbol, symbol, trade.GetProperty("trade_id").GetInt64().ToString(CultureInfo.InvariantCulture),
                    Decimal(trade.GetProperty("price")), Decimal(trade.GetProperty("qty")), side == "buy" ? TradeSide.Buy : TradeSide.Sell, time, time + 3000,
                    new TradeExtras(RawSide: side, OrderType: trade.GetProperty("ord_type").GetString(), IsSnapshot: snapshot));
            }
        }
    }

    private static IEnumerable<NormalizedTrade> Coinbase()
    {
        foreach (var root in Lines("coinbase"))
        {
            if (!root.TryGetProperty("channel", out var channel) || channel.GetString() != "market_trades") { continue; }
            var sequence = root.GetProperty("sequence_num").GetInt64();
            foreach (var ev in root.GetProperty("events").EnumerateArray())
            {
                foreach (var trade in ev.GetProperty("trades").EnumerateArray())
                {
                    var product = trade.GetProperty("product_id").GetString()!;
                    var makerSide = trade.GetProperty("side").GetString()!;
                    var time = Micros(trade.GetProperty("time").GetString()!);
                    yield return new NormalizedTrade(Exchange.Coinbase, product, product.Replace('-', '/'), trade.GetProperty("trade_id").GetString()!,
                        Decimal(trade.GetProperty("price")), Decimal(trade.GetProperty("size")), makerSide == "BUY" ? TradeSide.Sell : TradeSide.Buy, time, time + 1000,
                        new TradeExtras(RawSide: makerSide, SequenceNumber: sequence, IsSnapshot: ev.GetProperty("type").GetString() == "snapshot"));
                }
            }
        }
    }

    private static IEnumerable<JsonElement> Lines(string exchange) =>
        File.ReadLines(Path.Combine(TestPaths.SharedFixtures, exchange, "trades.jsonl"))
            .Where(line => line.Length > 0)
            .Select(line => JsonDocument.Parse(line).RootElement);

    // Exact: from the JSON text, never through double.
    private static decimal Decimal(JsonElement value) =>
        decimal.Parse(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static long Micros(string isoTime)
    {
        var seconds = DateTimeOffset.Parse(isoTime[..19] + "Z", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var fraction = isoTime.Length > 20 ? isoTime[20..].TrimEnd('Z').PadRight(6, '0')[..6] : "0";
        return UnixMicros.FromDateTimeOffset(seconds) + long.Parse(fraction, CultureInfo.InvariantCulture);
    }
}
