using System.Text.Json;
using K2.Tests.Support;

namespace K2.Tests.Operations;

/// <summary>
/// A few seconds of <c>k2 bench soak</c> through the real binary: synthetic frames of the three exchanges through the
/// whole embedded pipeline, every generated trade once in bronze, silver and the cold tier, and the RSS figures.
/// </summary>
public sealed class SoakBenchTests
{
    private const double Minutes = 0.1;
    private const double Rate = 600;

    [Test]
    public void A_short_soak_loses_and_doubles_nothing_and_reports_rss_after_warm_up()
    {
        using var soak = K2Process.Run(
            ["bench", "soak", "--minutes", Minutes.ToString(System.Globalization.CultureInfo.InvariantCulture), "--rate", Rate.ToString(System.Globalization.CultureInfo.InvariantCulture)], timeout: TimeSpan.FromMinutes(2));

        soak.ExitCode.Should().Be(0, soak.StandardError);
        using var report = JsonDocument.Parse(soak.StandardOutput);
        var root = report.RootElement;
        root.GetProperty("scenario").GetString().Should().Be("soak");
        var records = root.GetProperty("records").GetInt64();
        records.Should().BeInRange((long)(Rate * Minutes * 60 * 0.8), (long)(Rate * root.GetProperty("seconds").GetDouble()) + 3, "the feeds are paced at --rate");

        var details = root.GetProperty("details");
        var exchanges = details.GetProperty("exchanges");
        exchanges.EnumerateObject().Select(e => e.Name).Should().BeEquivalentTo("binance", "kraken", "coinbase");
        var generated = 0L;
        foreach (var exchange in exchanges.EnumerateObject())
        {
            var feed = exchange.Value;
            var made = feed.GetProperty("generated").GetInt64();
            made.Should().BePositive(exchange.Name);
            feed.GetProperty("symbols").GetInt32().Should().BeGreaterThan(1, exchange.Name);
            feed.GetProperty("rejects").GetInt64().Should().Be(0, exchange.Name);
            feed.GetProperty("published").GetInt64().Should().Be(made, exchange.Name);
            var bronze = feed.GetProperty("bronze");
            bronze.GetProperty("hot_unique").GetInt64().Should().Be(made, exchange.Name);
            bronze.GetProperty("cold_unique").GetInt64().Should().Be(made, exchange.Name);
            bronze.GetProperty("cold_rows").GetInt64().Should().Be(made, exchange.Name);
            generated += made;
        }

        generated.Should().Be(records);
        exchanges.GetProperty("binance").GetProperty("generated").GetInt64().Should().BeGreaterThan(exchanges.GetProperty("kraken").GetProperty("generated").GetInt64());
        var silver = details.GetProperty("silver");
        silver.GetProperty("hot_unique").GetInt64().Should().Be(records);
        silver.GetProperty("cold_unique").GetInt64().Should().Be(records);
        silver.GetProperty("cold_rows").GetInt64().Should().Be(records);
        details.GetProperty("lost").GetInt64().Should().Be(0);
        details.GetProperty("doubled").GetInt64().Should().Be(0);
        details.GetProperty("nothing_lost").GetBoolean().Should().BeTrue();
        details.GetProperty("nothing_doubled").GetBoolean().Should().BeTrue();

        var rss = details.GetProperty("rss_mb");
        rss.GetProperty("samples").GetInt32().Should().BePositive();
        var min = rss.GetProperty("min").GetDouble();
        var max = rss.GetProperty("max").GetDouble();
        min.Should().BePositive();
        rss.GetProperty("last").GetDouble().Should().BeInRange(min, max);
        rss.GetProperty("first").GetDouble().Should().BeInRange(min, max);
        var series = details.GetProperty("rss_samples_s_mb").EnumerateArray().Select(p => (At: p[0].GetDouble(), Mb: p[1].GetDouble())).ToList();
        var afterWarmUp = series.Where(p => p.At >= rss.GetProperty("warmup_seconds").GetDouble()).ToList();
        afterWarmUp.Should().HaveCount(rss.GetProperty("samples").GetInt32(), "the figures are computed from the samples after warm-up");
        (afterWarmUp.Min(p => p.Mb), afterWarmUp.Max(p => p.Mb)).Should().Be((min, max));
        var median = rss.GetProperty("median").GetDouble();
        afterWarmUp.Count(p => p.Mb <= median).Should().BeGreaterThanOrEqualTo((afterWarmUp.Count + 1) / 2, "half the samples lie at or below the median");
        afterWarmUp.Count(p => p.Mb >= median).Should().BeGreaterThanOrEqualTo((afterWarmUp.Count + 1) / 2, "half the samples lie at or above the median");
        var deviation = rss.GetProperty("deviation_percent").GetDouble();
        deviation.Should().BeApproximately(afterWarmUp.Max(p => Math.Abs(p.Mb - median)) / median * 100, 0.01);
        rss.GetProperty("flat").GetBoolean().Should().Be(deviation <= rss.GetProperty("tolerance_percent").GetDouble());
        details.GetProperty("rss_flat").GetBoolean().Should().Be(rss.GetProperty("flat").GetBoolean());

        var breakdowns = details.GetProperty("memory").EnumerateArray().ToList();
        breakdowns.Should().HaveCountGreaterThan(2, "the memory breakdown is sampled through the run");
        foreach (var sample in breakdowns)
        {
            var resident = sample.GetProperty("rss").GetDouble();
            (sample.GetProperty("rss_anon").GetDouble() + sample.GetProperty("rss_file").GetDouble()).Should().BeApproximately(resident, 1, "resident memory is anonymous plus file-backed");
            sample.GetProperty("malloc_in_use").GetDouble().Should().BePositive();
            sample.GetProperty("chdb_tracked").GetDouble().Should().BePositive("chDB reports its own allocations");
            sample.GetProperty("chdb_merges_tracked").GetDouble().Should().BeGreaterThanOrEqualTo(0);
            sample.GetProperty("chdb_queries_tracked").GetDouble().Should().BeGreaterThanOrEqualTo(0);
            sample.GetProperty("threads").GetInt32().Should().BeGreaterThan(sample.GetProperty("threadpool_threads").GetInt32());
        }

        breakdowns[^1].GetProperty("kafka_retained_messages").GetInt64().Should().BePositive("the mock cluster holds what was published since the last trim");
    }
}
