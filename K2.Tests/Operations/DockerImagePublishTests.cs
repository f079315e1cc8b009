using K2.Tests.Support;

namespace K2.Tests.Operations;

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

        // Measured: a portable publish of the same daemon 152 MB (natives of seven platforms); linux-x64 53 MB, linux-arm64 40 MB.
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
        foreach (var module in new[] { "ClickHouse", "Exchanges", "Offload", "Maintenance", "Query" }) { info.Environment[$"K2__Modules__{module}__Enabled"] = "false"; }
        using var daemon = System.Diagnostics.Process.Start(info)!;
        var log = new System.Text.StringBuilder();
        daemon.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        daemon.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.Holds(async () =>
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
