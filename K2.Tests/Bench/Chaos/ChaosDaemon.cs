using System.Diagnostics;
using System.Globalization;

namespace K2.Bench.Chaos;

/// <summary>
/// The real daemon (<c>k2 run</c>, the binary beside the bench) as a child process on one data folder: started, killed
/// with SIGKILL and started again. Its output goes to one log file per start; each line is also offered to
/// <see cref="LineWritten"/> so the bench can act on what the daemon is doing (an offload commit under way).
/// </summary>
internal sealed class ChaosDaemon(string logFolder, IReadOnlyDictionary<string, string> environment) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private Process? _process;
    private StreamWriter? _log;
    private Process? _ending;

    /// <summary>Starts made so far.</summary>
    public int Starts { get; private set; }

    /// <summary>Every line the daemon writes, with the start it came from.</summary>
    public event Action<int, string>? LineWritten;

    public int? ProcessId
    {
        get { lock (_gate) { return _process is { HasExited: false } p ? p.Id : null; } }
    }

    public bool IsRunning => ProcessId is not null;

    /// <summary>Why the daemon ended when the bench did not end it (a start refused by its configuration, a crash); else null.</summary>
    public string? UnexpectedExit { get; private set; }

    /// <summary>Throws when the daemon ended by itself: nothing a chaos run measures afterwards would mean anything.</summary>
    public void EnsureNotExited()
    {
        if (UnexpectedExit is { } exit) { throw new InvalidOperationException(exit); }
    }

    /// <summary>Starts the daemon with the base environment and <paramref name="extra"/> settings for this start only.</summary>
    public void Start(IReadOnlyDictionary<string, string>? extra = null)
    {
        lock (_gate)
        {
            if (_process is { HasExited: false }) { throw new InvalidOperationException("the daemon is already running"); }
            var start = ++Starts;
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "k2.dll"));
            info.ArgumentList.Add("run");
            foreach (var (key, value) in environment.Concat(extra ?? new Dictionary<string, string>())) { info.Environment[key] = value; }
            _log?.Dispose();
            _log = new StreamWriter(Path.Combine(logFolder, $"daemon-{start.ToString(CultureInfo.InvariantCulture)}.log")) { AutoFlush = true };
            var log = _log;
            var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            process.Exited += (_, _) => OnExited(process, start);
            process.OutputDataReceived += (_, e) => Write(start, log, e.Data);
            process.ErrorDataReceived += (_, e) => Write(start, log, e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _process = process;
        }
    }

    /// <summary>SIGKILL: no shutdown, no flush, as the OOM killer or a power cut.</summary>
    public void Kill()
    {
        lock (_gate)
        {
            if (_process is not { HasExited: false } p) { return; }
            Volatile.Write(ref _ending, p);
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
    }

    /// <summary>SIGINT and a wait for the orderly shutdown; SIGKILL when it takes longer than <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        Process? process;
        lock (_gate)
        {
            process = _process;
            Volatile.Write(ref _ending, process);
        }

        if (process is not { HasExited: false }) { return; }
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)])) { await kill.WaitForExitAsync(); }
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(30));
        lock (_gate)
        {
            _process?.Dispose();
            _log?.Dispose();
        }
    }

    private void OnExited(Process process, int start)
    {
        // Not under the gate: Kill holds it while it waits for the exit this reports.
        if (ReferenceEquals(Volatile.Read(ref _ending), process)) { return; }
        UnexpectedExit = $"the daemon (start {start.ToString(CultureInfo.InvariantCulture)}) exited by itself with code {process.ExitCode.ToString(CultureInfo.InvariantCulture)}; see daemon-{start.ToString(CultureInfo.InvariantCulture)}.log in the data folder";
    }

    private void Write(int start, StreamWriter log, string? line)
    {
        if (line is null) { return; }
        try
        {
            lock (log) { log.WriteLine(line); }
        }
        catch (ObjectDisposedException)
        {
        }

        LineWritten?.Invoke(start, line);
    }
}
