using System.Diagnostics;
using System.Text;

namespace K2.Tests.Support;

/// <summary>
/// An S3 endpoint for tests: s3rver (npm) on a loopback port, installed by scripts/test.sh into
/// <c>~/.cache/k2/npm</c> (or <c>K2_S3RVER</c> names the executable). Credentials are s3rver's
/// fixed S3RVER/S3RVER. Tests isolate themselves by bucket: <see cref="NewBucketName"/>.
/// </summary>
public static class S3rverServer
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private static readonly Lazy<Instance> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>http://127.0.0.1:port</summary>
    public static string ServiceUrl => Shared.Value.ServiceUrl;

    /// <summary>A bucket name no other test uses (the test creates it).</summary>
    public static string NewBucketName(string prefix = "k2") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 25, 63)];

    public static string Executable
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("K2_S3RVER");
            if (!string.IsNullOrWhiteSpace(configured)) { return configured; }
            var cacheHome = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (string.IsNullOrEmpty(cacheHome)) { cacheHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"); }
            return Path.Combine(cacheHome, "k2", "npm", "node_modules", ".bin", "s3rver");
        }
    }

    internal static void StopIfStarted()
    {
        if (Shared.IsValueCreated) { Shared.Value.Stop(); }
    }

    private static Instance Start()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"s3rver not found at {Executable}; run scripts/test.sh (it installs it) or set K2_S3RVER");
        }

        var port = ExternalProcess.FreeTcpPort();
        var directory = TestPaths.NewScratchFolder("s3rver");
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-d", directory, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent" })
        {
            info.ArgumentList.Add(argument);
        }

        var log = new StringBuilder();
        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start s3rver");
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        ExternalProcess.WaitForPort(port, TimeSpan.FromSeconds(30), process, log);
        return new Instance($"http://127.0.0.1:{port}", process);
    }

    private sealed class Instance(string serviceUrl, Process process)
    {
        public string ServiceUrl { get; } = serviceUrl;

        public void Stop()
        {
            if (!process.HasExited) { process.Kill(entireProcessTree: true); }
            process.Dispose();
        }
    }
}
