namespace K2.Bench;

/// <summary>Takes a sample at a fixed period, from the start until disposed; a failing sample ends the sampling and is rethrown on dispose.</summary>
internal sealed class PeriodicSampler<T> : IAsyncDisposable
{
    private readonly List<(TimeSpan At, T Value)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public PeriodicSampler(TimeSpan period, TimeProvider clock, Func<CancellationToken, Task<T>> sample)
    {
        var started = clock.GetTimestamp();
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(period, clock);
            do
            {
                var at = clock.GetElapsedTime(started);
                T value;
                try
                {
                    value = await sample(_stop.Token);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }

                lock (_samples) { _samples.Add((at, value)); }
            }
            while (await WaitAsync(timer));
        });
    }

    /// <summary>Samples taken at or after <paramref name="from"/> since the sampler started, oldest first.</summary>
    public IReadOnlyList<(TimeSpan At, T Value)> Since(TimeSpan from)
    {
        lock (_samples) { return [.. _samples.Where(s => s.At >= from)]; }
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
