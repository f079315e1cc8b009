using System.Text.Json;
using K2.Daemon.Bench;
using K2.Tests.Support;
using Prometheus;

namespace K2.Tests.Operations;

/// <summary><c>k2 bench publish</c> takes its latency figures from the histogram the daemon exports.</summary>
public sealed class PublishBenchTests
{
    [Test]
    public void The_publish_bench_counts_every_acknowledged_trade_once_in_its_latency_figures()
    {
        using var bench = K2Process.Run(["bench", "publish", "--records", "30000"], timeout: TimeSpan.FromMinutes(5));

        bench.ExitCode.Should().Be(0, bench.StandardError);
        using var report = JsonDocument.Parse(bench.StandardOutput.Trim().Split('\n')[^1]);
        var root = report.RootElement;
        root.GetProperty("records").GetInt64().Should().Be(30000);
        root.GetProperty("details").GetProperty("acknowledged").GetInt64().Should().Be(30000, "the timed phase's trades, and only they, are in the histogram's difference");
        root.GetProperty("p50_ms").GetDouble().Should().BePositive();
        root.GetProperty("p99_ms").GetDouble().Should().BeGreaterThanOrEqualTo(root.GetProperty("p50_ms").GetDouble());
    }

    [Test]
    public async Task Quantiles_are_read_from_the_exported_buckets_as_histogram_quantile_reads_them()
    {
        var registry = Metrics.NewCustomRegistry();
        var histogram = Metrics.WithCustomRegistry(registry).CreateHistogram("k2_test_seconds", "test", new HistogramConfiguration { Buckets = [1, 2, 4] });
        histogram.Observe(7);
        var before = await ExportedHistogram.ReadAsync(registry, "k2_test_seconds", CancellationToken.None);
        foreach (var value in new[] { 0.5, 1.5, 1.5, 3, 3, 3, 3, 3, 10, 10 }) { histogram.Observe(value); }

        var observed = (await ExportedHistogram.ReadAsync(registry, "k2_test_seconds", CancellationToken.None)).Since(before);

        observed.Count.Should().Be(10);
        observed.Quantile(0.1).Should().Be(1, "rank 1 is the whole first bucket (0, 1]");
        observed.Quantile(0.5).Should().BeApproximately(2.8, 1e-9, "rank 5 is 2 of the 5 observations in (2, 4], interpolated");
        observed.Quantile(0.95).Should().Be(4, "beyond the last finite bound only that bound is known");
    }
}
