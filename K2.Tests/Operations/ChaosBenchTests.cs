using System.Globalization;
using System.Text.Json;
using K2.Tests.Support;

namespace K2.Tests.Operations;

/// <summary>
/// A short <c>k2 bench chaos</c> through the real binaries: the daemon as a child process, fed by local exchanges, through
/// connection resets (some mid-frame), a silent stall per exchange, REST 429s, an outage of the embedded Kafka cluster,
/// two SIGKILLs (one during an offload's commits) and a 10× burst. Nothing is lost or doubled in bronze, silver or cold
/// silver (bronze may hold a second copy of a Kafka record the engine read again, under the same coordinates: reported,
/// not a duplicated trade), every candle equals the one recomputed from the trades the exchanges made, and the daemon
/// recovered from every fault, the burst included.
/// </summary>
public sealed class ChaosBenchTests
{
    private const double Minutes = 5;

    // What a host shared with builds holds alongside the chaos (a 10x burst is 3,000 trades/s).
    private const double Rate = 300;

    [Test]
    public void A_short_chaos_run_loses_and_doubles_nothing_and_every_candle_is_equal()
    {
        using var chaos = K2Process.Run(
            ["bench", "chaos", "--minutes", Minutes.ToString(CultureInfo.InvariantCulture), "--rate", Rate.ToString(CultureInfo.InvariantCulture)],
            timeout: TimeSpan.FromMinutes(16));

        TestContext.Out.WriteLine(chaos.StandardError);
        TestContext.Out.WriteLine(chaos.StandardOutput);
        chaos.ExitCode.Should().Be(0, chaos.StandardError);
        chaos.StandardError.Should().Contain("fault schedule").And.Contain("broker-down").And.Contain("sigkill-during-offload").And.Contain("TRADES");
        using var report = JsonDocument.Parse(chaos.StandardOutput);
        var root = report.RootElement;
        root.GetProperty("scenario").GetString().Should().Be("chaos");
        var details = root.GetProperty("details");
        var symbols = details.GetProperty("symbols").EnumerateArray().ToList();
        symbols.Select(s => s.GetProperty("exchange").GetString()).Distinct().Should().BeEquivalentTo("binance", "kraken", "coinbase");
        symbols.Sum(s => s.GetProperty("generated").GetInt64()).Should().Be(root.GetProperty("records").GetInt64());
        foreach (var symbol in symbols)
        {
            var name = $"{symbol.GetProperty("exchange").GetString()} {symbol.GetProperty("symbol").GetString()}";
            var generated = symbol.GetProperty("generated").GetInt64();
            generated.Should().BePositive(name);
            foreach (var layer in new[] { "bronze", "cold_bronze", "silver", "cold_silver" })
            {
                var counts = symbol.GetProperty(layer);
                counts.GetProperty("lost").GetInt64().Should().Be(0, $"no {name} trade is missing from {layer}");
                counts.GetProperty("duplicated").GetInt64().Should().Be(0, $"no {name} trade is twice in {layer}");
                if (layer != "bronze") { counts.GetProperty("redelivered").GetInt64().Should().Be(0, $"{layer} holds each Kafka record of {name} once"); }
                counts.GetProperty("unknown").GetInt64().Should().Be(0, $"{layer} holds no {name} trade the exchange did not make");
                counts.GetProperty("unique").GetInt64().Should().Be(generated, $"{layer} holds every {name} trade");
            }
        }

        foreach (var check in details.GetProperty("candles").EnumerateArray())
        {
            var what = $"{check.GetProperty("tier").GetString()} {check.GetProperty("interval").GetString()} candles";
            check.GetProperty("all_equal").GetBoolean().Should().BeTrue($"every {what} equals the one recomputed from the made trades: {check.GetProperty("examples")}");
        }

        var hot1m = details.GetProperty("candles").EnumerateArray().Single(c => c.GetProperty("tier").GetString() == "hot" && c.GetProperty("interval").GetString() == "1m");
        hot1m.GetProperty("equal").GetInt32().Should().BeGreaterThanOrEqualTo((int)Minutes * symbols.Count, "every symbol traded in every minute");
        var cold1m = details.GetProperty("candles").EnumerateArray().Single(c => c.GetProperty("tier").GetString() == "cold" && c.GetProperty("interval").GetString() == "1m");
        cold1m.GetProperty("equal").GetInt32().Should().BePositive("the closed minutes were offloaded");

        var faults = details.GetProperty("faults").EnumerateArray().ToList();
        faults.Select(f => f.GetProperty("fault").GetString()).Should().Contain(["broker-down", "sigkill", "sigkill-during-offload", "burst", "stall binance", "stall kraken", "stall coinbase"]);
        foreach (var fault in faults)
        {
            var name = fault.GetProperty("fault").GetString();
            fault.GetProperty("injected").GetBoolean().Should().BeTrue($"{name} happened: {fault}");
            fault.GetProperty("recovery_s").EnumerateObject().Should().NotBeEmpty(name)
                .And.OnlyContain(r => r.Value.ValueKind == JsonValueKind.Number, $"a trade made after {name} ended reached silver");
        }

        details.GetProperty("daemon_starts").GetInt32().Should().Be(3, "two kills, two restarts");
        details.GetProperty("rest_rate_limited").GetInt64().Should().BePositive("REST answered 429 during backfills");
        details.GetProperty("per_minute").GetArrayLength().Should().BeGreaterThanOrEqualTo((int)Minutes);
    }
}
