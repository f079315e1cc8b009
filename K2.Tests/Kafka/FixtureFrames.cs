using System.Globalization;
using System.Text;
using System.Text.Json;
using K2.Core.Trades;
using K2.Tests.Support;

namespace K2.Tests.Kafka;

/// <summary>A recorded exchange frame and the trades it carries.</summary>
internal sealed record FixtureFrame(Exchange Exchange, byte[] Raw, IReadOnlyList<NormalizedTrade> Trades, long ReceiveTimestampUs);

/// <summary>
/// Reads the shared exchange fixtures into trades, only as far as the publishing tests need (the
/// ingestors own real parsing): each trade frame with its trades, in file order.
/// </summary>
internal static class FixtureFrames
{
    private const long ReceiveBase = 1_771_338_600_000_000;

    public static List<FixtureFrame> All() =>
        ExchangeNames.All.SelectMany(e => Read(e)).ToList();

    public static List<FixtureFrame> Read(Exchange exchange)
    {
        var frames = new List<FixtureFrame>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(Path.Combine(TestPaths.SharedFixtures, exchange.ToWire(), "trades.jsonl")))
        {
            lineNumber++;
            var receive = ReceiveBase + lineNumber * 1000;
            using var document = JsonDocument.Parse(line);
            var trades = exchange switch
            {
                Exchange.Binance => Binance(document.RootElement, receive),
                Exchange.Kraken => Kraken(document.RootElement, receive),
                _ => Coinbase(document.RootElement, receive),
            };
            if (trades.Count > 0) { frames.Add(new FixtureFrame(exchange, Encoding.UTF8.GetBytes(line), trades, receive)); }
        }

        return frames;
    }

    private static List<NormalizedTrade> Binance(JsonElement root, long receive)
    {
        if (!root.TryGetProperty("data", out var data) || data.GetProperty("e").GetString() != "trade") { return []; }
        var symbol = data.GetProperty("s").GetString()!;
        var buyerMaker = data.GetProperty("m").GetBoolean();
        return
        [
            new NormalizedTrade(
                Exchange.Binance, symbol, $"{symbol[..^4]}/{symbol[^4..]}", data.GetProperty("t").GetInt64().ToString(CultureInfo.InvariantCulture),
                decimal.Parse(data.GetProperty("p").GetString()!, CultureInfo.InvariantCulture),
                decimal.Parse(data.GetProperty("q").GetString()!, CultureInfo.InvariantCulture),
                buyerMaker ? TradeSide.Sell : TradeSide.Buy,
                data.GetProperty("T").GetInt64() * 1000, receive,
                new TradeExtras(IsBuyerMaker: buyerMaker, EventTimestampUs: data.GetProperty("E").GetInt64() * 1000)),
        ];
    }

    private static List<NormalizedTrade> Kraken(JsonElement root, long receive)
    {
        if (!root.TryGetProperty("channel", out var channel) || channel.GetString() != "trade") { return []; }
        var snapshot = root.GetProperty("type").GetString() == "snapshot";
        return root.GetProperty("data").EnumerateArray().Select(t =>
        {
            var side = t.GetProperty("side").GetString()!;
            var symbol = t.GetProperty("symbol").GetString()!;
            return new NormalizedTrade(
                Exchange.Kraken, symbol, symbol.Replace("XBT", "BTC", StringComparison.Ordinal), t.GetProperty("trade_id").GetInt64().ToString(CultureInfo.InvariantCulture),
                t.GetProperty("price").GetDecimal(), t.GetProperty("qty").GetDecimal(),
                side == "buy" ? TradeSide.Buy : TradeSide.Sell,
                Micros(t.GetProperty("timestamp").GetString()!), receive,
                new TradeExtras(RawSide: side, OrderType: t.GetProperty("ord_type").GetString(), IsSnapshot: snapshot));
        }).ToList();
    }

    private static List<NormalizedTrade> Coinbase(JsonElement root, long receive)
    {
        if (!root.TryGetProperty("channel", out var channel) || channel.GetString() != "market_trades") { return []; }
        var sequence = root.GetProperty("sequence_num").GetInt64();
        return root.GetProperty("events").EnumerateArray().SelectMany(e =>
        {
            var snapshot = e.GetProperty("type").GetString() == "snapshot";
            return e.GetProperty("trades").EnumerateArray().Select(t =>
            {
                var makerSide = t.GetProperty("side").GetString()!;
                var symbol = t.GetProperty("product_id").GetString()!;
                return new NormalizedTrade(
                    Exchange.Coinbase, symbol, symbol.Replace('-', '/'), t.GetProperty("trade_id").GetString()!,
                    decimal.Parse(t.GetProperty("price").GetString()!, CultureInfo.InvariantCulture),
                    decimal.Parse(t.GetProperty("size").GetString()!, CultureInfo.InvariantCulture),
                    makerSide == "BUY" ? TradeSide.Sell : TradeSide.Buy,
                    Micros(t.GetProperty("time").GetString()!), receive,
                    new TradeExtras(RawSide: makerSide, SequenceNumber: sequence, IsSnapshot: snapshot));
            });
        }).ToList();
    }

    private static long Micros(string timestamp) =>
        K2.Core.Time.UnixMicros.FromDateTimeOffset(DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal));
}
