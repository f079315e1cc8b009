namespace K2.Daemon.Bench;

/// <summary>Samples this process's resident set size (VmRSS) at a fixed period until disposed.</summary>
internal sealed class RssSampler : IAsyncDisposable
{
    private readonly List<(TimeSpan At, double Megabytes)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RssSampler(TimeSpan period, TimeProvider clock)
    {
        var started = clock.GetTimestamp();
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(period, clock);
            do
            {
                var sample = (clock.GetElapsedTime(started), ProcessFigures.RssMegabytes());
                lock (_samples) { _samples.Add(sample); }
            }
            while (await WaitAsync(timer));
        });
    }

    /// <summary>Samples taken at or after <paramref name="from"/> since the sampler started, oldest first.</summary>
    public IReadOnlyList<double> Since(TimeSpan from)
    {
        lock (_samples) { return [.. _samples.Where(s => s.At >= from).Select(s => s.Megabytes)]; }
    }

    public int Count
    {
        get { lock (_samples) { return _samples.Count; } }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task<bool> WaitAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
