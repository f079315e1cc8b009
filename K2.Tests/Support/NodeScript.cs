using System.Diagnostics;

namespace K2.Tests.Support;

/// <summary>
/// Runs a Node.js script against clients from npm that nobody here wrote (iceberg-js, @clickhouse/client), installed by
/// scripts/setup-test-deps.sh into <c>~/.cache/k2/npm</c> beside s3rver. The script finds them through
/// <c>K2_NODE_MODULES</c> and prints its findings as JSON on stdout.
/// </summary>
public static class NodeScript
{
    public static string Modules => Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(S3rverServer.Executable))!);

    /// <summary>The package's folder; the test fails naming the setup script when it is missing.</summary>
    public static string Package(string name)
    {
        var folder = Path.Combine(Modules, name);
        if (!Directory.Exists(folder)) { Assert.Fail($"npm package {name} not found in {Modules}; run scripts/setup-test-deps.sh (scripts/test.sh runs it)"); }
        return folder;
    }

    /// <summary>Runs <c>K2.Tests/&lt;relativePath&gt;</c> with <paramref name="environment"/>; returns stdout, fails with stderr on a non-zero exit.</summary>
    public static async Task<string> RunAsync(string relativePath, IReadOnlyDictionary<string, string> environment, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(TestPaths.RepoRoot, "K2.Tests", relativePath));
        info.Environment["K2_NODE_MODULES"] = Modules;
        foreach (var (key, value) in environment) { info.Environment[key] = value; }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start node");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"node {relativePath} did not finish in time: {await stderr}");
        }

        if (process.ExitCode != 0) { Assert.Fail($"node {relativePath} exited {process.ExitCode}: {await stderr}{await stdout}"); }
        return await stdout;
    }
}
