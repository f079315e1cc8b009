using System.Globalization;
using System.Text.Json;
using K2.Tests.Support;

namespace K2.Tests.Operations;

/// <summary>
/// The whole pipeline on the three fixture captures through the real <c>k2 replay</c>: every stage
/// is checked against trades and candles computed here, independently of K2's own parsers.
/// </summary>
public sealed class ReplayEndToEndTests
{
    private static readonly string Fixtures = TestPaths.SharedFixtures;
    private static string _dataDir = null!;
    private static JsonDocument _summary = null!;
    private static IReadOnlyList<ExpectedTrade> _expected = null!;

    private sealed record ExpectedTrade(string Exchange, string Symbol, string Canonical, string TradeId, decimal Price, decimal Quantity, string Side, long TimestampUs);

    [OneTimeSetUp]
    public void ReplayTheFixtures()
    {
        // chDB's icebergLocal reads only under the working directory, so the replay writes below it.
        _dataDir = Path.Combine(Directory.GetCurrentDirectory(), "replay-scratch", Guid.NewGuid().ToString("N"));
        using var replay = K2Process.Run(
            ["replay", "--input", $"binance:{Fixtures}/binance/trades.jsonl", "--input", $"kraken:{Fixtures}/kraken/trades.jsonl",
             "--input", $"coinbase:{Fixtures}/coinbase/trades.jsonl", "--data-dir", _dataDir],
            timeout: TimeSpan.FromMinutes(4));

        replay.ExitCode.Should().Be(0, replay.StandardError);
        _summary = JsonDocument.Parse(replay.StandardOutput);
        _expected = [.. ExpectedBinance(), .. ExpectedKraken(), .. ExpectedCoinbase()];
    }

    [OneTimeTearDown]
    public void Clean() => _summary?.Dispose();

    [Test]
    public void The_summary_counts_every_fixture_trade_once_and_hot_equals_cold_for_all_ten_tables()
    {
        var inputs = _summary.RootElement.GetProperty("inputs").EnumerateArray().ToDictionary(i => i.GetProperty("exchange").GetString()!);
        foreach (var exchange in new[] { "binance", "kraken", "coinbase" })
        {
            inputs[exchange].GetProperty("trades").GetInt32().Should().Be(_expected.Count(t => t.Exchange == exchange));
            inputs[exchange].GetProperty("rejects").GetInt32().Should().Be(0);
        }

        var tables = _summary.RootElement.GetProperty("tables").EnumerateArray().ToArray();
        tables.Should().HaveCount(10);
        foreach (var table in tables)
        {
            table.GetProperty("cold_rows").GetInt64().Should().Be(table.GetProperty("hot_rows").GetInt64(), table.GetProperty("cold_table").GetString());
            table.GetProperty("cold_rows").GetInt64().Should().BePositive();
        }
    }

    [Test]
    public void Cold_silver_holds_exactly_the_fixture_trades_field_by_field()
    {
        var rows = Query("silver_trades", "SELECT exchange, symbol, canonical_symbol, trade_id, toString(price), toString(quantity), side, toUnixTimestamp64Micro(exchange_ts) FROM {t}");

        var actual = rows.Select(r => new ExpectedTrade(r[0], r[1], r[2], r[3], Dec(r[4]), Dec(r[5]), r[6], long.Parse(r[7], CultureInfo.InvariantCulture)));
        actual.Should().BeEquivalentTo(_expected);
    }

    [Test]
    public void Cold_bronze_per_exchange_holds_that_exchange_s_trades_with_their_kafka_coordinates()
    {
        foreach (var exchange in new[] { "binance", "kraken", "coinbase" })
        {
            var rows = Query($"bronze_trades_{exchange}", "SELECT symbol, trade_id, toString(price), kafka_topic, kafka_offset FROM {t}");

            rows.Select(r => (r[0], r[1], Dec(r[2]))).Should().BeEquivalentTo(_expected.Where(t => t.Exchange == exchange).Select(t => (t.Symbol, t.TradeId, t.Price)));
            rows.Should().OnlyContain(r => r[3] == $"market.crypto.trades.{exchange}");
            rows.Select(r => r[4]).Distinct().Count().Should().BeGreaterThan(1, "real Kafka offsets, not a constant");
        }
    }

    [TestCase("1m", 60)]
    [TestCase("5m", 300)]
    [TestCase("15m", 900)]
    [TestCase("30m", 1800)]
    [TestCase("1h", 3600)]
    [TestCase("1d", 86400)]
    public void Cold_candles_equal_candles_computed_independently_from_the_fixture_trades(string interval, int seconds)
    {
        var expected = _expected
            .GroupBy(t => (t.Exchange, t.Canonical, Window: t.TimestampUs / 1_000_000 / seconds * seconds))
            .Select(g =>
            {
                var ordered = g.OrderBy(t => t.TimestampUs).ThenBy(t => long.Parse(t.TradeId, CultureInfo.InvariantCulture)).ToArray();
                return (g.Key.Exchange, g.Key.Canonical, g.Key.Window, Open: ordered[0].Price, High: g.Max(t => t.Price), Low: g.Min(t => t.Price),
                    Close: ordered[^1].Price, Volume: g.Sum(t => t.Quantity), Count: g.Count(),
                    Buy: g.Where(t => t.Side == "BUY").Sum(t => t.Quantity));
            });

        var rows = Query($"gold_ohlcv_{interval}",
            "SELECT exchange, canonical_symbol, toUnixTimestamp(window_start), toString(open), toString(high), toString(low), toString(close), toString(volume), trade_count, toString(buy_volume) FROM {t}");

        rows.Select(r => (r[0], r[1], long.Parse(r[2], CultureInfo.InvariantCulture), Dec(r[3]), Dec(r[4]), Dec(r[5]), Dec(r[6]), Dec(r[7]), int.Parse(r[8], CultureInfo.InvariantCulture), Dec(r[9])))
            .Should().BeEquivalentTo(expected.Select(e => (e.Exchange, e.Canonical, e.Window, e.Open, e.High, e.Low, e.Close, e.Volume, e.Count, e.Buy)));
    }

    private static List<string[]> Query(string table, string sql)
    {
        var location = Path.Combine(_dataDir, "warehouse", "cold", table);
        var text = EmbeddedClickHouse.Engine.QueryText(sql.Replace("{t}", $"icebergLocal('{location}')", StringComparison.Ordinal));
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
    }

    private static decimal Dec(string text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static long MicrosOf(string rfc3339)
    {
        // Independent of K2's parser: split the fraction by hand, pad/truncate to 6 digits.
        var dot = rfc3339.IndexOf('.', StringComparison.Ordinal);
        var seconds = DateTimeOffset.Parse(dot < 0 ? rfc3339 : rfc3339[..dot] + "Z", CultureInfo.InvariantCulture).ToUnixTimeSeconds();
        var fraction = dot < 0 ? "" : rfc3339[(dot + 1)..].TrimEnd('Z');
        return seconds * 1_000_000 + long.Parse(fraction.PadRight(6, '0')[..6], CultureInfo.InvariantCulture);
    }

    private static IEnumerable<ExpectedTrade> Deduplicate(IEnumerable<ExpectedTrade> trades) =>
        trades.DistinctBy(t => (t.Exchange, t.Symbol, t.TradeId));

    private static IEnumerable<ExpectedTrade> ExpectedBinance() => Deduplicate(
        from line in File.ReadLines(Path.Combine(Fixtures, "binance", "trades.jsonl"))
        let root = JsonDocument.Parse(line).RootElement
        where root.TryGetProperty("data", out var d) && d.GetProperty("e").GetString() == "trade"
        let d = root.GetProperty("data")
        let symbol = d.GetProperty("s").GetString()!
        select new ExpectedTrade("binance", symbol, symbol[..^4] + "/USDT", d.GetProperty("t").GetInt64().ToString(CultureInfo.InvariantCulture),
            Dec(d.GetProperty("p").GetString()!), Dec(d.GetProperty("q").GetString()!), d.GetProperty("m").GetBoolean() ? "SELL" : "BUY",
            d.GetProperty("T").GetInt64() * 1000));

    private static IEnumerable<ExpectedTrade> ExpectedKraken() => Deduplicate(
        from line in File.ReadLines(Path.Combine(Fixtures, "kraken", "trades.jsonl"))
        let root = JsonDocument.Parse(line).RootElement
        where root.TryGetProperty("channel", out var c) && c.GetString() == "trade"
        from t in root.GetProperty("data").EnumerateArray()
        let symbol = t.GetProperty("symbol").GetString()!
        select new ExpectedTrade("kraken", symbol, symbol, t.GetProperty("trade_id").GetInt64().ToString(CultureInfo.InvariantCulture),
            Dec(t.GetProperty("price").GetRawText()), Dec(t.GetProperty("qty").GetRawText()), t.GetProperty("side").GetString()!.ToUpperInvariant(),
            MicrosOf(t.GetProperty("timestamp").GetString()!)));

    private static IEnumerable<ExpectedTrade> ExpectedCoinbase() => Deduplicate(
        from line in File.ReadLines(Path.Combine(Fixtures, "coinbase", "trades.jsonl"))
        let root = JsonDocument.Parse(line).RootElement
        where root.GetProperty("channel").GetString() == "market_trades"
        from e in root.GetProperty("events").EnumerateArray()
        from t in e.GetProperty("trades").EnumerateArray()
        let product = t.GetProperty("product_id").GetString()!
        select new ExpectedTrade("coinbase", product, product.Replace('-', '/'), t.GetProperty("trade_id").GetString()!,
            Dec(t.GetProperty("price").GetString()!), Dec(t.GetProperty("size").GetString()!),
            t.GetProperty("side").GetString() == "SELL" ? "BUY" : "SELL",
            MicrosOf(t.GetProperty("time").GetString()!)));
}
