using System.Text.RegularExpressions;
using K2.Tests.Support;
using Npgsql;

namespace K2.Tests.Offload;

/// <summary>Two daemons sharing Quartz's clustered job store run each scheduled offload once between them.</summary>
[TestFixture]
public sealed partial class ClusteredScheduleTests
{
    [Test]
    public async Task Two_daemons_on_one_PostgreSQL_job_store_run_each_scheduled_offload_once()
    {
        var jobStore = PostgresServer.NewDatabase("quartz");
        using var first = StartDaemon(jobStore);
        using var second = StartDaemon(jobStore);

        await Eventually.Holds(() => Task.FromResult(Runs(first).Count + Runs(second).Count >= 2 || first.HasExited || second.HasExited), TimeSpan.FromMinutes(4), "two scheduled offload runs (one per minute)");
        first.HasExited.Should().BeFalse(first.StandardError);
        second.HasExited.Should().BeFalse(second.StandardError);
        await using (var connection = new NpgsqlConnection(jobStore))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT string_agg(instance_name, ',') FROM qrtz_scheduler_state WHERE sched_name = 'k2-offload'", connection);
            var instances = (string)(await command.ExecuteScalarAsync())!;
            instances.Split(',').Should().OnlyHaveUniqueItems().And.HaveCount(2, "both daemons checked in to the cluster, each under its own instance id");
        }

        first.Interrupt();
        second.Interrupt();
        first.WaitForExit(TimeSpan.FromSeconds(30)).Should().BeTrue();
        second.WaitForExit(TimeSpan.FromSeconds(30)).Should().BeTrue();
        var byMinute = Runs(first).Concat(Runs(second)).GroupBy(minute => minute).ToList();
        byMinute.Should().HaveCountGreaterThanOrEqualTo(2);
        byMinute.Should().OnlyContain(g => g.Count() == 1, "each minute's offload ran on one daemon only");
    }

    private static K2Process StartDaemon(string jobStore) => K2Process.Start(["run"], new Dictionary<string, string>
    {
        ["K2__Observability__Listen"] = $"127.0.0.1:{ExternalProcess.FreeTcpPort()}",
        ["K2__Modules__Query__Listen"] = $"127.0.0.1:{ExternalProcess.FreeTcpPort()}",
        ["K2__Storage__DataDir"] = TestPaths.NewScratchFolder("clustered"),
        ["K2__Modules__Exchanges__Enabled"] = "false",
        ["K2__Modules__Maintenance__Enabled"] = "false",
        ["K2__Modules__Offload__SchedulerStore"] = "Clustered",
        ["K2__Modules__Offload__Schedule"] = "* * * * *",
        ["K2_ICEBERG_CATALOG_POSTGRES"] = jobStore,
    });

    /// <summary>The minute (UTC) of each finished offload run the daemon logged.</summary>
    private static List<string> Runs(K2Process daemon) =>
        [.. RunFinished().Matches(daemon.StandardOutput + daemon.StandardError).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("\"Timestamp\":\"(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d)[^\"]*\"[^\\n]*Offload run [0-9a-f]+ finished")]
    private static partial Regex RunFinished();
}
