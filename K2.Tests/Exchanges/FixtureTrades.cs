using System.Globalization;
using System.Text.Json;
using K2.Core.Trades;
using K2.Instruments;
using K2.Tests.Support;

namespace K2.Tests.Exchanges;

/// <summary>
/// The trades a fixture holds, read independently of the parsers under test (JsonDocument,
/// decimal.Parse of the raw text, DateTimeOffset.Parse), to check the parsers field by field.
/// </summary>
internal static class FixtureTrades
{
    public sealed record Expected(string Symbol, string Canonical, string TradeId, decimal Price, decimal Quantity, TradeSide Side, long ExchangeTimestampUs);

    public static string PathOf(Exchange exchange) => Path.Combine(TestPaths.SharedFixtures, exchange.ToWire(), "trades.jsonl");

    public static string MalformedPath => Path.Combine(TestPaths.SharedFixtures, "malformed.jsonl");

    public static string[] Lines(Exchange exchange) => File.ReadAllLines(PathOf(exchange));

    /// <summary>The instruments the fixtures use, spelled as instruments.yaml spells them.</summary>
    public static InstrumentSet Instruments { get; } = InstrumentsFileParser.ParseFile(Path.Combine(TestPaths.RepoRoot, "instruments.yaml"));

    /// <summary>The fixture's distinct trades, in fixture order (Coinbase batches reversed to oldest first).</summary>
    public static IReadOnlyList<Expected> Of(Exchange exchange)
    {
        return Lines(exchange).SelectMany(line => OfLine(exchange, line)).DistinctBy(t => (t.Symbol, t.TradeId)).ToArray();
    }

    /// <summary>The trades of one fixture frame.</summary>
    public static IReadOnlyList<Expected> OfLine(Exchange exchange, string line)
    {
        using var doc = JsonDocument.Parse(line);
        return (exchange switch
        {
            Exchange.Binance => Binance(doc.RootElement),
            Exchange.Kraken => Kraken(doc.RootElement),
            _ => Coinbase(doc.RootElement),
        }).ToArray();
    }

    /// <summary>(raw exchange name, raw frame, why) of every malformed.jsonl line.</summary>
    public static IReadOnlyList<(string Exchange, string Raw, string Why)> Malformed() =>
        File.ReadAllLines(MalformedPath).Where(l => l.Length > 0).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            var root = doc.RootElement;
            return (root.GetProperty("exchange").GetString()!, root.GetProperty("raw").GetString()!, root.GetProperty("why").GetString()!);
        }).ToArray();

    private static IEnumerable<Expected> Binance(JsonElement root)
    {
        if (!root.TryGetProperty("data", out var data)) { yield break; }
        var symbol = data.GetProperty("s").GetString()!;
        yield return new Expected(symbol, Canonical(Exchange.Binance, symbol), data.GetProperty("t").GetInt64().ToString(CultureInfo.InvariantCulture),
            decimal.Parse(data.GetProperty("p").GetString()!, CultureInfo.InvariantCulture), decimal.Parse(data.GetProperty("q").GetString()!, CultureInfo.InvariantCulture),
            data.GetProperty("m").GetBoolean() ? TradeSide.Sell : TradeSide.Buy, data.GetProperty("T").GetInt64() * 1000);
    }

    private static IEnumerable<Expected> Kraken(JsonElement root)
    {
        if (!root.TryGetProperty("channel", out var channel) || channel.GetString() != "trade") { yield break; }
        foreach (var t in root.GetProperty("data").EnumerateArray())
        {
            var symbol = t.GetProperty("symbol").GetString()!;
            yield return new Expected(symbol, symbol.Replace("XBT", "BTC", StringComparison.Ordinal), t.GetProperty("trade_id").GetInt64().ToString(CultureInfo.InvariantCulture),
                decimal.Parse(t.GetProperty("price").GetRawText(), CultureInfo.InvariantCulture), decimal.Parse(t.GetProperty("qty").GetRawText(), CultureInfo.InvariantCulture),
                t.GetProperty("side").GetString() == "buy" ? TradeSide.Buy : TradeSide.Sell, Micros(t.GetProperty("timestamp").GetString()!));
        }
    }

    private static IEnumerable<Expected> Coinbase(JsonElement root)
    {
        if (root.GetProperty("channel").GetString() != "market_trades") { yield break; }
        var batch = root.GetProperty("events").EnumerateArray().SelectMany(e => e.GetProperty("trades").EnumerateArray()).Reverse().ToArray();
        foreach (var t in batch)
        {
            var symbol = t.GetProperty("product_id").GetString()!;
            yield return new Expected(symbol, Canonical(Exchange.Coinbase, symbol), t.GetProperty("trade_id").GetString()!,
                decimal.Parse(t.GetProperty("price").GetString()!, CultureInfo.InvariantCulture), decimal.Parse(t.GetProperty("size").GetString()!, CultureInfo.InvariantCulture),
                t.GetProperty("side").GetString() == "SELL" ? TradeSide.Buy : TradeSide.Sell, Micros(t.GetProperty("time").GetString()!));
        }
    }

    private static string Canonical(Exchange exchange, string symbol) =>
        Instruments.TryFind(exchange, symbol, out var instrument) ? instrument.Canonical : throw new InvalidOperationException($"fixture symbol {symbol} not in instruments.yaml");

    private static long Micros(string rfc3339) =>
        (DateTimeOffset.Parse(rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    /// <summary>Asserts <paramref name="actual"/> holds exactly <paramref name="expected"/>, field by field (and per symbol in id order unless backfill reorders).</summary>
    public static void ShouldMatch(IReadOnlyList<NormalizedTrade> actual, Exchange exchange, IReadOnlyList<Expected> expected, bool inIdOrder = true)
    {
        actual.Select(t => t.Exchange).Should().AllBeEquivalentTo(exchange);
        var projected = actual.Select(t => new Expected(t.Symbol, t.CanonicalSymbol, t.TradeId, t.Price, t.Quantity, t.Side, t.ExchangeTimestampUs)).ToArray();
        projected.Should().BeEquivalentTo(expected);
        projected.Select(t => $"{t.Symbol} {t.TradeId}").Should().OnlyHaveUniqueItems();
        foreach (var group in projected.GroupBy(t => t.Symbol).Where(_ => inIdOrder))
        {
            group.Select(t => long.Parse(t.TradeId, CultureInfo.InvariantCulture)).Should().BeInAscendingOrder($"trades of {group.Key} come oldest first");
        }
    }
}
