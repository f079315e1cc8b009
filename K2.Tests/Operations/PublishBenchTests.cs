using System.Text.Json;
using K2.Tests.Support;

namespace K2.Tests.Operations;

/// <summary>
/// <c>k2 bench publish</c> through the real binary: the figures come from the Kafka module's exported metrics (acknowledged
/// trades, the receive→ack histogram), so a metric renamed or no longer recorded fails here.
/// </summary>
public sealed class PublishBenchTests
{
    [Test]
    public void Publish_counts_every_acknowledged_trade_and_reads_its_latency_from_the_exported_histogram()
    {
        using var bench = K2Process.Run(["bench", "publish", "--records", "3000"], timeout: TimeSpan.FromMinutes(3));

        bench.ExitCode.Should().Be(0, bench.StandardError);
        using var report = JsonDocument.Parse(bench.StandardOutput);
        var root = report.RootElement;
        root.GetProperty("scenario").GetString().Should().Be("publish");
        root.GetProperty("records").GetInt64().Should().Be(3000);
        root.GetProperty("seconds").GetDouble().Should().BePositive();
        var details = root.GetProperty("details");
        details.GetProperty("acknowledged").GetInt64().Should().Be(3000, "every published trade is acknowledged and counted once");
        details.GetProperty("spooled_records").GetInt64().Should().Be(0);
        details.GetProperty("latency").GetString().Should().Contain("k2_kafka_receive_to_ack_seconds");
        var p50 = root.GetProperty("p50_ms").GetDouble();
        p50.Should().BePositive("receive→ack takes time, and the histogram recorded it");
        root.GetProperty("p99_ms").GetDouble().Should().BeGreaterThanOrEqualTo(p50);
    }
}
