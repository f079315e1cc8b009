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
        ["POSTGRES_ADMIN_PASSWORD"] = "x",
        ["MINIO_ROOT_USER"] = "x",
        ["MINIO_ROOT_PASSWORD"] = "x",
    };

    [Test]
    public void The_compose_file_is_valid()
    {
        var (exitCode, output) = ComposeConfig(Secrets);

        exitCode.Should().Be(0, output);
    }

    [Test]
    public void The_compose_file_with_the_development_overrides_is_valid()
    {
        var (exitCode, output) = ComposeConfig(Secrets, "docker-compose.yml", "docker-compose.dev.yml");

        exitCode.Should().Be(0, output);
    }

    [Test]
    public void The_compose_file_refuses_to_start_without_its_secrets()
    {
        foreach (var secret in Secrets.Keys)
        {
            var (exitCode, output) = ComposeConfig(Secrets.Where(s => s.Key != secret).ToDictionary());

            exitCode.Should().NotBe(0, $"{secret} is missing");
            output.Should().Contain($"set {secret}");
        }
    }

    [Test]
    public void The_systemd_unit_runs_the_daemon_as_an_unprivileged_user()
    {
        var unit = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "deploy", "systemd", "k2.service"));

        unit.Should().Contain("User=k2").And.Contain("ExecStart=/usr/bin/dotnet /opt/k2/k2.dll run").And.Contain("KillSignal=SIGTERM");
    }

    [Test]
    public void The_systemd_unit_creates_its_user_requires_its_configuration_and_outlasts_the_graceful_shutdown()
    {
        var unit = SystemdUnit();

        unit["DynamicUser"].Should().Equal("yes");
        unit["StateDirectory"].Should().Equal("k2");
        unit["Environment"].Should().Contain(["K2_HOME=/etc/k2", "K2__Storage__DataDir=/var/lib/k2"]);
        unit["AssertPathExists"].Should().Equal("/etc/k2/appsettings.json");
        unit["RestartPreventExitStatus"].Should().Equal("2");
        TimeSpan.FromSeconds(int.Parse(unit["TimeoutStopSec"].Single(), System.Globalization.CultureInfo.InvariantCulture))
            .Should().BeGreaterThan(TimeSpan.FromSeconds(30), "the host allows 30 s for the graceful shutdown");
    }

    [Test]
    public void The_systemd_unit_is_hardened_but_keeps_what_the_runtime_needs()
    {
        var unit = SystemdUnit();

        foreach (var directive in new[]
        {
            "NoNewPrivileges", "PrivateDevices", "PrivateTmp", "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
            "ProtectControlGroups", "RestrictNamespaces", "LockPersonality", "RestrictRealtime", "RestrictSUIDSGID",
        })
        {
            unit.Should().ContainKey(directive).WhoseValue.Should().Equal(["yes"], directive);
        }

        unit["ProtectSystem"].Should().Equal("strict");
        unit["CapabilityBoundingSet"].Should().Equal([""], "no capability at all");
        unit["SystemCallArchitectures"].Should().Equal("native");
        unit["RestrictAddressFamilies"].Single().Split(' ').Should().BeEquivalentTo(["AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK"]);
        unit.Should().NotContainKey("MemoryDenyWriteExecute", "the .NET JIT writes the code it runs");
    }

    [Test]
    public void Systemd_analyze_verifies_the_unit()
    {
        RequireSystemdAnalyze();
        if (!File.Exists("/usr/bin/dotnet")) { Assert.Ignore("skipped: /usr/bin/dotnet (the unit's ExecStart) is not installed here, so systemd-analyze verify would only report that"); }

        var output = ExternalProcess.Run("systemd-analyze", "verify", SystemdUnitPath);

        output.Should().BeEmpty();
    }

    [Test]
    public void Systemd_analyze_security_rates_the_unit_at_most_1_5()
    {
        RequireSystemdAnalyze();
        if (!ExternalProcess.Run("systemd-analyze", "--help").Contains("--offline", StringComparison.Ordinal))
        {
            Assert.Ignore("skipped: this systemd-analyze cannot review a unit file offline (systemd 252 or newer can)");
        }

        // --threshold is on systemd's 0–100 scale: 15 is an exposure of 1.5 ("OK"; the unit before hardening rated 8.5).
        var output = ExternalProcess.Run("systemd-analyze", "security", "--offline=true", "--threshold=15", SystemdUnitPath);

        output.Should().Contain("Overall exposure level for k2.service");
    }

    [Test]
    public void A_K2_HOME_without_appsettings_json_stops_k2_with_exit_code_2_naming_the_file()
    {
        var home = TestPaths.NewScratchFolder("home-without-settings");
        File.Copy(Path.Combine(TestPaths.RepoRoot, "instruments.yaml"), Path.Combine(home, "instruments.yaml"));

        using var daemon = K2Process.Run(["run"], new Dictionary<string, string> { ["K2_HOME"] = home });

        daemon.ExitCode.Should().Be(2);
        daemon.StandardError.Should().Contain($"K2_HOME={home}: {Path.Combine(home, "appsettings.json")} does not exist")
            .And.Contain("does not fall back to embedded defaults");
        daemon.StandardOutput.Should().NotContain("Now listening", "nothing starts on defaults");
    }

    private static string SystemdUnitPath => Path.Combine(TestPaths.RepoRoot, "deploy", "systemd", "k2.service");

    /// <summary>The unit's directives, each with every value it is given (in order), comments left out.</summary>
    private static Dictionary<string, List<string>> SystemdUnit() =>
        File.ReadAllLines(SystemdUnitPath)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && l[0] is not ('#' or ';' or '[') && l.Contains('=', StringComparison.Ordinal))
            .Select(l => l.Split('=', 2))
            .GroupBy(p => p[0], p => p[1])
            .ToDictionary(g => g.Key, g => g.ToList());

    private static void RequireSystemdAnalyze()
    {
        if (!File.Exists("/usr/bin/systemd-analyze") && !File.Exists("/bin/systemd-analyze"))
        {
            Assert.Ignore("skipped: systemd-analyze is not installed (Debian package systemd; scripts/setup-test-deps.sh installs it as root)");
        }
    }

    private static (int ExitCode, string Output) ComposeConfig(Dictionary<string, string> environment, params string[] files)
    {
        var info = new System.Diagnostics.ProcessStartInfo("docker-compose")
        {
            WorkingDirectory = TestPaths.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var file in files.Length == 0 ? ["docker-compose.yml"] : files) { info.ArgumentList.Add("-f"); info.ArgumentList.Add(file); }
        info.ArgumentList.Add("config");
        info.ArgumentList.Add("-q");
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
        var environment = ComposeFile.Production.Environment("k2");

        // Paths inside the container are read where the compose file's bind mounts take them from.
        var overrides = environment
            .Where(e => e.Key.StartsWith("K2__", StringComparison.Ordinal))
            .ToDictionary(
                e => e.Key[4..].Replace("__", ":", StringComparison.Ordinal),
                e => (string?)(e.Value.StartsWith('/') ? ComposeFile.Production.HostPath("k2", e.Value) ?? e.Value : e.Value));
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
