using System.Diagnostics;
using System.Text;

namespace K2.Tests.Support;

/// <summary>Runs the real <c>k2</c> binary (built beside the tests) as a child process.</summary>
public sealed class K2Process : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private K2Process(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_stdout) { _stdout.AppendLine(e.Data); } } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_stderr) { _stderr.AppendLine(e.Data); } } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string StandardOutput { get { lock (_stdout) { return _stdout.ToString(); } } }

    public string StandardError { get { lock (_stderr) { return _stderr.ToString(); } } }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts <c>k2 &lt;arguments&gt;</c> with the repository as content root (K2_HOME) unless the
    /// environment says otherwise. SIGINT is reset to its default so Ctrl-C can be tested even
    /// when the test runner itself was started with SIGINT ignored. <c>k2 bench …</c> runs the
    /// benchmark binary, as the checkout's <c>./k2</c> does.
    /// </summary>
    public static K2Process Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var verbAndOptions = arguments.ToList();
        var binary = "k2.dll";
        if (verbAndOptions is ["bench", ..])
        {
            binary = "K2.Bench.dll";
            verbAndOptions.RemoveAt(0);
        }

        var info = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = TestPaths.ScratchRoot,
        };
        info.ArgumentList.Add("--default-signal=INT");
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, binary));
        foreach (var argument in verbAndOptions) { info.ArgumentList.Add(argument); }
        info.Environment["K2_HOME"] = TestPaths.RepoRoot;

        // The catalog listens by default; daemons of concurrent test runs must not compete for its port.
        info.Environment["K2__Modules__Catalog__Listen"] = "127.0.0.1:0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) { info.Environment[key] = value; }
        return new K2Process(Process.Start(info) ?? throw new InvalidOperationException("cannot start k2"));
    }

    /// <summary>Runs <c>k2</c> to completion and returns the finished process.</summary>
    public static K2Process Run(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var process = Start(arguments, environment);
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Dispose();
            Assert.Fail($"k2 {string.Join(' ', arguments)} did not finish in time");
        }

        return process;
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) { return false; }
        _process.WaitForExit();
        return true;
    }

    /// <summary>Sends SIGINT, as Ctrl-C in a terminal does; a process that has already exited is left as it is.</summary>
    public void Interrupt()
    {
        if (!_process.HasExited) { ExternalProcess.Run("kill", "-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
    }

    public void Dispose()
    {
        if (!_process.HasExited) { _process.Kill(entireProcessTree: true); }
        _process.Dispose();
    }
}
