using K2.Tests.Support;

namespace K2.Tests.Operations;

public sealed class DeploymentFilesTests
{
    private static readonly Dictionary<string, string> Secrets = new()
    {
        ["K2_CLICKHOUSE_PASSWORD"] = "x",
        ["K2_POSTGRES_PASSWORD"] = "x",
        ["K2_S3_ACCESS_KEY"] = "x",
        ["K2_S3_SECRET_KEY"] = "x",
        ["GRAFANA_ADMIN_PASSWORD"] = "x",
    };

    [Test]
    public void The_compose_file_is_valid()
    {
        var (exitCode, output) = ComposeConfig(Secrets);

        exitCode.Should().Be(0, output);
    }

    [Test]
    public void The_compose_file_refuses_to_start_without_its_secrets()
    {
        var (exitCode, output) = ComposeConfig(Secrets.Where(s => s.Key != "K2_CLICKHOUSE_PASSWORD").ToDictionary());

        exitCode.Should().NotBe(0);
        output.Should().Contain("set K2_CLICKHOUSE_PASSWORD");
    }

    [Test]
    public void The_systemd_unit_runs_the_daemon_as_an_unprivileged_user()
    {
        var unit = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "deploy", "systemd", "k2.service"));

        unit.Should().Contain("User=k2").And.Contain("ExecStart=/usr/bin/dotnet /opt/k2/k2.dll run").And.Contain("KillSignal=SIGTERM");
    }

    private static (int ExitCode, string Output) ComposeConfig(Dictionary<string, string> environment)
    {
        var info = new System.Diagnostics.ProcessStartInfo("docker-compose")
        {
            WorkingDirectory = TestPaths.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-f", "docker-compose.yml", "config", "-q" }) { info.ArgumentList.Add(argument); }
        foreach (var key in Secrets.Keys) { info.Environment.Remove(key); }
        foreach (var (key, value) in environment) { info.Environment[key] = value; }
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
