using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace K2.Instruments;

/// <summary>
/// Picks up edits of instruments.yaml: file-system events on its folder (which also see an atomic
/// rename-over, the way editors and Kubernetes config maps write) trigger a reload, and a poll of
/// the file's bytes catches anything the events miss (network file systems, symlink swaps).
/// </summary>
internal sealed class InstrumentsFileWatcher(InstrumentRegistry registry, IOptions<InstrumentsOptions> options) : BackgroundService
{
    private readonly SemaphoreSlim _signal = new(0);
    private FileSystemWatcher? _watcher;
    private byte[] _lastBytes = ReadBytes(registry.Path);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var folder = Path.GetDirectoryName(registry.Path)!;
        _watcher = new FileSystemWatcher(folder)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            EnableRaisingEvents = true,
        };
        _watcher.Changed += (_, _) => _signal.Release();
        _watcher.Created += (_, _) => _signal.Release();
        _watcher.Renamed += (_, _) => _signal.Release();
        _watcher.Deleted += (_, _) => _signal.Release();

        var poll = TimeSpan.FromMilliseconds(options.Value.PollIntervalMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await _signal.WaitAsync(poll, stoppingToken))
                {
                    // Let a burst of events from one save settle before reading.
                    await Task.Delay(100, stoppingToken);
                    while (_signal.CurrentCount > 0) { await _signal.WaitAsync(stoppingToken); }
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var bytes = ReadBytes(registry.Path);
            if (bytes.Length == 0 || bytes.AsSpan().SequenceEqual(_lastBytes)) { continue; }
            _lastBytes = bytes;
            registry.Reload();
        }
    }

    public override void Dispose()
    {
        _watcher?.Dispose();
        _signal.Dispose();
        base.Dispose();
    }

    private static byte[] ReadBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
