namespace K2.Exchanges.Sessions;

/// <summary>Exponential reconnect delay: initial × 2^attempt, capped, with ±20 % jitter so daemons do not reconnect in step.</summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan cap)
{
    private int _attempt;

    public TimeSpan Next()
    {
        var exponent = Math.Min(_attempt++, 30);
        var delay = Math.Min(initial.TotalMilliseconds * Math.Pow(2, exponent), cap.TotalMilliseconds);
        var jitter = 0.8 + Random.Shared.NextDouble() * 0.4;
        return TimeSpan.FromMilliseconds(Math.Min(delay * jitter, cap.TotalMilliseconds));
    }

    /// <summary>After a connection delivered data: the next failure starts from the initial delay again.</summary>
    public void Reset() => _attempt = 0;
}
