using System.Text.RegularExpressions;
using K2.Daemon;
using K2.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace K2.Tests.Operations;

public sealed partial class AlertRulesTests
{
    private static string Rules => Path.Combine(TestPaths.RepoRoot, "deploy", "prometheus", "rules");
    private static string RuleTests => Path.Combine(TestPaths.RepoRoot, "deploy", "prometheus", "tests");

    [Test]
    public void Promtool_accepts_every_rule_file()
    {
        var files = Directory.GetFiles(Rules, "*.yml");
        files.Should().NotBeEmpty();

        var output = ExternalProcess.Run("promtool", ["check", "rules", .. files]);

        output.Should().Contain("SUCCESS");
    }

    [Test]
    public void The_rules_fire_as_their_unit_tests_expect_on_synthetic_series()
    {
        var files = Directory.GetFiles(RuleTests, "*.test.yml");
        files.Should().NotBeEmpty();

        var output = ExternalProcess.Run("promtool", ["test", "rules", .. files]);

        output.Should().Contain("SUCCESS").And.NotContain("FAILED");
    }

    [Test]
    public void Every_rule_file_has_unit_tests()
    {
        var tested = Directory.GetFiles(RuleTests, "*.test.yml")
            .SelectMany(File.ReadLines)
            .Select(l => RuleFileReference().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToHashSet();

        Directory.GetFiles(Rules, "*.yml").Select(Path.GetFileName).Should().OnlyContain(f => tested.Contains(f!));
    }

    [Test]
    public void Every_alert_rule_has_a_firing_and_a_not_firing_unit_test()
    {
        var alerts = Directory.GetFiles(Rules, "*.yml")
            .SelectMany(file => Sequence(Load(file), "groups").SelectMany(group => Sequence(group, "rules")))
            .Select(rule => Scalar(rule, "alert"))
            .OfType<string>()
            .ToList();
        var cases = Directory.GetFiles(RuleTests, "*.test.yml")
            .SelectMany(file => Sequence(Load(file), "tests").SelectMany(test => Sequence(test, "alert_rule_test")))
            .Select(check => (Alert: Scalar(check, "alertname"), Fires: Sequence(check, "exp_alerts").Any()))
            .ToList();

        alerts.Should().HaveCountGreaterThanOrEqualTo(18);
        var untested = alerts
            .Where(alert => !cases.Contains((alert, true)) || !cases.Contains((alert, false)))
            .Select(alert => $"{alert} (firing case: {cases.Contains((alert, true))}, not-firing case: {cases.Contains((alert, false))})");
        string.Join("; ", untested).Should().BeEmpty("every alert rule needs a promtool case where it fires and one where it stays quiet");
    }

    [Test]
    public void Rules_and_dashboards_use_only_metrics_of_the_catalogue()
    {
        var catalogue = MetricsCatalogue.Collect().Select(e => e.Name).ToHashSet();
        var sources = Directory.GetFiles(Rules, "*.yml")
            .Concat(Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "deploy", "grafana", "dashboards"), "*.json"));

        foreach (var file in sources)
        {
            var used = MetricName().Matches(File.ReadAllText(file)).Select(m => m.Value).Distinct();
            foreach (var name in used)
            {
                var series = HistogramSuffix().Replace(name, "");
                (catalogue.Contains(name) || catalogue.Contains(series)).Should().BeTrue($"{Path.GetFileName(file)} uses {name}, which docs/metrics.md does not list");
            }
        }
    }

    private static YamlMappingNode Load(string file)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(file)));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static IEnumerable<YamlMappingNode> Sequence(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(key, out var value) && value is YamlSequenceNode sequence ? sequence.Children.OfType<YamlMappingNode>() : [];

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    [GeneratedRegex(@"\.\./rules/([A-Za-z0-9_.-]+\.yml)")]
    private static partial Regex RuleFileReference();

    [GeneratedRegex(@"\bk2_[a-z0-9_]+\b")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"_(bucket|count|sum)$")]
    private static partial Regex HistogramSuffix();
}
