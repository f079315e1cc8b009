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

public sealed class ComposeConfigurationTests
{
    [Test]
    public void The_daemon_settings_in_the_compose_file_are_valid_configuration()
    {
        var yaml = new YamlDotNet.RepresentationModel.YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docker-compose.yml"))));
        var root = (YamlDotNet.RepresentationModel.YamlMappingNode)yaml.Documents[0].RootNode;
        var k2 = (YamlDotNet.RepresentationModel.YamlMappingNode)((YamlDotNet.RepresentationModel.YamlMappingNode)root["services"])["k2"];
        var environment = ((YamlDotNet.RepresentationModel.YamlMappingNode)k2["environment"]).Children
            .ToDictionary(e => e.Key.ToString(), e => e.Value.ToString());

        var overrides = environment
            .Where(e => e.Key.StartsWith("K2__", StringComparison.Ordinal))
            .ToDictionary(e => e.Key[4..].Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value);
        overrides.Should().ContainKeys("Modules:Kafka:Mode", "Modules:ClickHouse:Mode", "Iceberg:Catalog");

        // The secrets compose passes through are read from the environment while the host is built.
        var catalogVariable = "K2_ICEBERG_CATALOG_POSTGRES";
        var previous = Environment.GetEnvironmentVariable(catalogVariable);
        Environment.SetEnvironmentVariable(catalogVariable, "Host=postgres;Username=k2;Password=x;Database=k2");
        try
        {
            var host = K2.Daemon.DaemonHost.Create(overrides, out var problems);
            problems.Should().BeEmpty();
            host.Should().NotBeNull();
        }
        finally
        {
            Environment.SetEnvironmentVariable(catalogVariable, previous);
        }

        environment.Values.Where(v => v.Contains("PASSWORD", StringComparison.Ordinal) || v.Contains("SECRET", StringComparison.Ordinal))
            .Should().OnlyContain(v => v.Contains("${", StringComparison.Ordinal), "secrets come from the environment, never written in the file");
    }
}
