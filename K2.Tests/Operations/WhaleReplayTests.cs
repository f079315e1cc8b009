using System.Globalization;
using System.Numerics;
using K2.Iceberg.Spec;
using K2.Tests.Support;

namespace K2.Tests.Operations;

/// <summary>
/// Meme-coin trades through the real <c>k2 replay</c>: a Binance PEPEUSDT whale of 30,000,000,000 tokens at 0.00000412
/// and trades of 10^15 tokens whose day volume passes 10^13, written with every digit to cold silver and cold candles.
/// </summary>
public sealed class WhaleReplayTests
{
    private const long Day = 1771286400; // 2026-02-17 00:00:00 UTC

    private sealed record Whale(long TradeId, string Price, string Quantity, long Seconds, bool BuyerIsMaker);

    private static readonly Whale[] Whales =
    [
        new(5001, "0.00000412", "30000000000.00000000", Day + 3600, false),
        new(5002, "0.00000413", "1000000000000000.00000000", Day + 7200, true),
        new(5003, "0.00000411", "999999999999999.99999999", Day + 7230, false),
        new(5004, "0.00000412", "1000000000000000.00000001", Day + 40000, true),
        new(5005, "0.00000001", "12345678901234.12345678", Day + 80000, false),
    ];

    [Test]
    public void Whale_trades_replay_with_exit_0_and_cold_silver_and_candles_hold_every_digit()
    {
        var dataDir = Path.Combine(Directory.GetCurrentDirectory(), "replay-scratch", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var capture = Path.Combine(dataDir, "pepe.jsonl");
        File.WriteAllLines(capture, Whales.Select(w => string.Create(CultureInfo.InvariantCulture,
            $$$"""{"stream":"pepeusdt@trade","data":{"e":"trade","E":{{{(w.Seconds * 1000) + 3}}},"s":"PEPEUSDT","t":{{{w.TradeId}}},"p":"{{{w.Price}}}","q":"{{{w.Quantity}}}","T":{{{w.Seconds * 1000}}},"m":{{{(w.BuyerIsMaker ? "true" : "false")}}},"M":true}}""")));
        var instruments = Path.Combine(dataDir, "instruments.yaml");
        File.WriteAllText(instruments, "exchanges:\n  binance:\n    symbols:\n      - PEPEUSDT\n");

        using var replay = K2Process.Run(["replay", "--input", $"binance:{capture}", "--data-dir", dataDir],
            new Dictionary<string, string> { ["K2__Instruments__Path"] = instruments }, TimeSpan.FromMinutes(4));

        replay.ExitCode.Should().Be(0, replay.StandardError);
        var silver = Query(dataDir, "silver_trades", "SELECT trade_id, toString(price), toString(quantity), toString(quote_volume) FROM {t} ORDER BY trade_id");
        silver.Should().Equal(Whales.Select(w => string.Join('\t', w.TradeId.ToString(CultureInfo.InvariantCulture), Plain(w.Price), Plain(w.Quantity),
            Plain(Times(w.Price, w.Quantity)))));

        var day = Query(dataDir, "gold_ohlcv_1d", "SELECT toString(open), toString(high), toString(low), toString(close), toString(volume), toString(quote_volume), trade_count, toString(buy_volume), toString(sell_volume) FROM {t}");
        var volume = Sum(Whales.Select(w => w.Quantity));
        IcebergDecimal.Parse(volume).Should().BeGreaterThan(IcebergDecimal.Parse("10000000000000"), "the day volume passes 10^13");
        day.Should().Equal(string.Join('\t', "0.00000412", "0.00000413", "0.00000001", "0.00000001", Plain(volume),
            Plain(Sum(Whales.Select(w => Times(w.Price, w.Quantity)))), Whales.Length.ToString(CultureInfo.InvariantCulture),
            Plain(Sum(Whales.Where(w => !w.BuyerIsMaker).Select(w => w.Quantity))), Plain(Sum(Whales.Where(w => w.BuyerIsMaker).Select(w => w.Quantity)))));

        var hour = Query(dataDir, "gold_ohlcv_1h", "SELECT toUnixTimestamp(window_start), toString(volume) FROM {t} ORDER BY window_start");
        hour.Should().Contain(string.Create(CultureInfo.InvariantCulture, $"{Day + 7200}\t{Plain(Sum(["1000000000000000.00000000", "999999999999999.99999999"]))}"));
    }

    /// <summary>ClickHouse's text of a decimal: no trailing zeros after the point.</summary>
    private static string Plain(string value) => value.Contains('.', StringComparison.Ordinal) ? value.TrimEnd('0').TrimEnd('.') : value;

    private static string Times(string a, string b)
    {
        var x = IcebergDecimal.Parse(a);
        var y = IcebergDecimal.Parse(b);
        return new IcebergDecimal(x.Unscaled * y.Unscaled, x.Scale + y.Scale).ToString();
    }

    private static string Sum(IEnumerable<string> values)
    {
        var parsed = values.Select(IcebergDecimal.Parse).ToList();
        var scale = parsed.Max(v => v.Scale);
        return new IcebergDecimal(parsed.Aggregate(BigInteger.Zero, (total, v) => total + v.Rescale(scale).Unscaled), scale).ToString();
    }

    private static List<string> Query(string dataDir, string table, string sql)
    {
        var location = Path.Combine(dataDir, "warehouse", "cold", table);
        return [.. EmbeddedClickHouse.Engine.QueryText(sql.Replace("{t}", $"icebergLocal('{location}')", StringComparison.Ordinal)).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
