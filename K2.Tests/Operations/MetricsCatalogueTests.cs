using K2.Daemon;
using K2.Tests.Support;

namespace K2.Tests.Operations;

public sealed class MetricsCatalogueTests
{
    private static string DocPath => Path.Combine(TestPaths.RepoRoot, "docs", "metrics.md");

    [Test]
    public void The_metrics_document_lists_exactly_the_metrics_the_code_defines()
    {
        var generated = MetricsCatalogue.RenderMarkdown();
        if (Environment.GetEnvironmentVariable("K2_UPDATE_METRICS_DOC") == "1") { File.WriteAllText(DocPath, generated); }

        File.ReadAllText(DocPath).Should().Be(generated, "docs/metrics.md must match the code; regenerate with K2_UPDATE_METRICS_DOC=1");
    }

    [Test]
    public void Every_metric_is_named_for_k2_documented_and_has_bounded_labels()
    {
        var forbidden = new[] { "trade_id", "price", "quantity", "id", "offset", "message" };

        var entries = MetricsCatalogue.Collect();

        entries.Should().NotBeEmpty();
        entries.Should().OnlyContain(e => e.Name.StartsWith("k2_", StringComparison.Ordinal));
        entries.Should().OnlyContain(e => e.Help.Length > 10);
        entries.SelectMany(e => e.Labels).Should().NotContain(forbidden);
    }
}
