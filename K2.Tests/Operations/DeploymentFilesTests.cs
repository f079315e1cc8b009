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

/// <summary>
/// There is no Docker engine here, so the image's build stage is replayed as far as it goes: its COPY lines into a
/// context folder (without bin/ and obj/, as .dockerignore has it) and its RUN lines, unchanged but for the output
/// folder, with TARGETARCH set as BuildKit sets it. The published folder is what the image would hold.
/// </summary>
public sealed partial class DockerImagePublishTests
{
    private const ushort ElfX8664 = 62;
    private const ushort ElfAarch64 = 183;

    [TestCase("amd64", "linux-x64", ElfX8664)]
    [TestCase("arm64", "linux-arm64", ElfAarch64)]
    public void The_image_publishes_for_its_target_runtime_only(string targetArch, string runtime, ushort machine)
    {
        var output = PublishAsTheDockerfileDoes(targetArch);

        Directory.Exists(Path.Combine(output, "runtimes")).Should().BeFalse("a publish for one runtime carries no other runtime's natives");
        var natives = Directory.GetFiles(output, "*", SearchOption.AllDirectories).Where(IsNativeLibrary).ToList();
        natives.Select(Path.GetFileName).Should().Contain(["librdkafka.so", "libe_sqlite3.so"]);
        natives.Should().OnlyContain(f => ElfMachine(f) == machine, $"every native library is built for {runtime}");
        Directory.GetFiles(output, "*.dll", SearchOption.AllDirectories).Should().NotContain(f => IsPortableExecutableNative(f), "no Windows natives");
        Directory.GetFiles(output, "*.dylib", SearchOption.AllDirectories).Should().BeEmpty("no macOS natives");
        File.Exists(Path.Combine(output, "k2.dll")).Should().BeTrue();
        File.Exists(Path.Combine(output, "appsettings.json")).Should().BeTrue("K2_HOME=/app in the image");
        File.Exists(Path.Combine(output, "instruments.yaml")).Should().BeTrue();
        File.Exists(Path.Combine(output, "libchdb.so")).Should().BeFalse("production reaches ClickHouse over HTTP; the embedded engine stays out of the image");

        // A portable publish of the same daemon was 152 MB (natives of seven runtimes); this one 52 MB.
        var megabytes = Directory.GetFiles(output, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) / 1_000_000.0;
        TestContext.Out.WriteLine($"publish for {runtime}: {megabytes:F1} MB");
        megabytes.Should().BeLessThan(80);
    }

    [Test]
    public async Task The_published_daemon_loads_the_librdkafka_it_carries()
    {
        var output = PublishAsTheDockerfileDoes("amd64");
        var port = ExternalProcess.FreeTcpPort();
        var info = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = TestPaths.NewScratchFolder("image-run"),
        };
        info.ArgumentList.Add(Path.Combine(output, "k2.dll"));
        info.ArgumentList.Add("run");
        info.Environment["K2_HOME"] = output;
        info.Environment["K2__Storage__DataDir"] = info.WorkingDirectory;
        info.Environment["K2__Observability__Listen"] = $"127.0.0.1:{port}";
        foreach (var module in new[] { "ClickHouse", "Exchanges", "Offload", "Maintenance" }) { info.Environment[$"K2__Modules__{module}__Enabled"] = "false"; }
        using var daemon = System.Diagnostics.Process.Start(info)!;
        var log = new System.Text.StringBuilder();
        daemon.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        daemon.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            await Wait.Until(async () =>
            {
                if (daemon.HasExited) { Assert.Fail($"the published k2 exited {daemon.ExitCode}: {log}"); }
                try { return (await http.GetAsync("/readyz")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }, TimeSpan.FromSeconds(90), "the published daemon ready (its Kafka producer started)");

            var mapped = File.ReadAllLines($"/proc/{daemon.Id}/maps")
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length >= 6 && f[5].Contains("librdkafka", StringComparison.Ordinal))
                .Select(f => f[5])
                .Distinct()
                .ToList();
            mapped.Should().NotBeEmpty().And.OnlyContain(path => path.StartsWith(output + "/", StringComparison.Ordinal), "the image has no system librdkafka to fall back on");
        }
        finally
        {
            if (!daemon.HasExited) { daemon.Kill(entireProcessTree: true); }
        }
    }

    private static readonly Dictionary<string, string> Published = [];

    /// <summary>Replays the Dockerfile's build stage for <paramref name="targetArch"/> once per test run; returns the published folder.</summary>
    private static string PublishAsTheDockerfileDoes(string targetArch)
    {
        lock (Published)
        {
            if (Published.TryGetValue(targetArch, out var done)) { return done; }
            var root = TestPaths.NewScratchFolder($"image-{targetArch}");
            var context = Directory.CreateDirectory(Path.Combine(root, "src")).FullName;
            var output = Path.Combine(root, "app");
            foreach (var instruction in BuildStage())
            {
                if (instruction.StartsWith("COPY ", StringComparison.Ordinal))
                {
                    var parts = instruction[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    foreach (var source in parts[..^1]) { CopyIntoContext(source, Path.Combine(context, parts[^1])); }
                }
                else if (instruction.StartsWith("RUN ", StringComparison.Ordinal))
                {
                    var command = OutputFolder().Replace(instruction[4..], $"-o {output}");
                    RunInContext(command, context, targetArch);
                }
            }

            Directory.Exists(output).Should().BeTrue("the Dockerfile's build stage publishes to /app");
            Published[targetArch] = output;
            return output;
        }
    }

    /// <summary>The build stage's instructions, continuation lines joined, comments left out.</summary>
    private static List<string> BuildStage()
    {
        var lines = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "Dockerfile"));
        var instructions = new List<string>();
        var current = new System.Text.StringBuilder();
        foreach (var line in lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            current.Append(line.TrimEnd('\\').Trim()).Append(' ');
            if (line.EndsWith('\\')) { continue; }
            instructions.Add(current.ToString().Trim());
            current.Clear();
        }

        var start = instructions.FindIndex(i => i.StartsWith("FROM ", StringComparison.Ordinal) && i.EndsWith(" AS build", StringComparison.Ordinal));
        start.Should().BeGreaterThanOrEqualTo(0, "the Dockerfile has a build stage");
        var end = instructions.FindIndex(start + 1, i => i.StartsWith("FROM ", StringComparison.Ordinal));
        instructions[start..end].Should().Contain(i => i.Contains("dotnet publish", StringComparison.Ordinal));
        return instructions[start..end];
    }

    private static void CopyIntoContext(string source, string destination)
    {
        var from = Path.Combine(TestPaths.RepoRoot, source.TrimEnd('/'));
        if (Directory.Exists(from))
        {
            foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(from, file);
                if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")) { continue; }
                var target = Path.Combine(destination, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }
        }
        else
        {
            Directory.CreateDirectory(destination);
            File.Copy(from, Path.Combine(destination, Path.GetFileName(from)), overwrite: true);
        }
    }

    private static void RunInContext(string command, string context, string targetArch)
    {
        var info = new System.Diagnostics.ProcessStartInfo("bash")
        {
            WorkingDirectory = context,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        info.Environment["TARGETARCH"] = targetArch;
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit(TimeSpan.FromMinutes(10)).Should().BeTrue($"`{command}` finishes within 10 minutes");
        process.ExitCode.Should().Be(0, $"`{command}` succeeds: {stdout.Result}{stderr.Result}");
    }

    private static bool IsNativeLibrary(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var file = File.OpenRead(path);
        return file.Read(magic) == 4 && magic.SequenceEqual("\u007fELF"u8);
    }

    private static ushort ElfMachine(string path)
    {
        Span<byte> header = stackalloc byte[20];
        using var file = File.OpenRead(path);
        file.ReadExactly(header);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(header[18..]);
    }

    /// <summary>A Windows native DLL (a PE image without the CLI header managed assemblies have).</summary>
    private static bool IsPortableExecutableNative(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new System.Reflection.PortableExecutable.PEReader(stream);
        return reader.PEHeaders.CorHeader is null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"-o /app\b")]
    private static partial System.Text.RegularExpressions.Regex OutputFolder();
}
