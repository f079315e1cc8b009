using K2.Core.Configuration;
using K2.Maintenance;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Tests.Maintenance;

[TestFixture]
public sealed class MaintenanceOptionsTests
{
    [Test]
    public void Defaults_are_the_references_and_are_valid()
    {
        var services = new ServiceCollection();
        services.AddMaintenance(new ConfigurationBuilder().Build());

        services.GetConfigurationProblems().Any.Should().BeFalse(string.Join("\n", services.GetConfigurationProblems().All));
        new MaintenanceOptions().Should().BeEquivalentTo(new
        {
            Schedule = "0 0 2 * * ?", TargetFileSizeBytes = 128L << 20, MinSmallFiles = 5, CompactionParallelGroups = 2, SnapshotMaxAgeHours = 24,
            RetainSnapshots = 3, OrphanMinAgeHours = 72, AuditWindowHours = 24, AuditOkPercent = 1m, AuditMissingPercent = 5m,
        });
    }

    [Test]
    public void A_bad_schedule_and_inverted_thresholds_are_refused_naming_each_key()
    {
        var problems = Problems(new() { ["Schedule"] = "every night", ["AuditOkPercent"] = "10" });

        problems.Should().HaveCount(2);
        problems.Should().ContainSingle(p => p.StartsWith("Modules:Maintenance:Schedule") && p.Contains("Quartz cron expression"));
        problems.Should().ContainSingle(p => p.StartsWith("Modules:Maintenance:AuditMissingPercent") && p.Contains("at least AuditOkPercent (10)"));
    }

    [Test]
    public void An_orphan_age_of_zero_is_refused_because_it_would_delete_commits_in_flight()
    {
        Problems(new() { ["OrphanMinAgeHours"] = "0" }).Should().ContainSingle()
            .Which.Should().StartWith("Modules:Maintenance:OrphanMinAgeHours").And.Contain("commit in flight");
    }

    [Test]
    public void Compaction_without_a_group_at_a_time_is_refused()
    {
        Problems(new() { ["CompactionParallelGroups"] = "0" }).Should().ContainSingle()
            .Which.Should().StartWith("Modules:Maintenance:CompactionParallelGroups").And.Contain("between 1 and 64");
    }

    private static IReadOnlyList<string> Problems(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.ToDictionary(p => $"{MaintenanceOptions.SectionName}:{p.Key}", p => p.Value)).Build();
        var services = new ServiceCollection();
        services.AddMaintenance(configuration);
        return services.GetConfigurationProblems().All;
    }
}
