namespace K2.Tests.Support;

/// <summary>
/// The one way tests wait: polls a condition until it holds or a deadline passes, then fails the test naming what it
/// waited for. No sleeps as synchronization.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public static Task Holds(Func<bool> condition, TimeSpan timeout, string what) => Holds(() => Task.FromResult(condition()), timeout, () => what);

    /// <param name="what">Evaluated on timeout, so it can report the final state.</param>
    public static Task Holds(Func<bool> condition, TimeSpan timeout, Func<string> what) => Holds(() => Task.FromResult(condition()), timeout, what);

    public static Task Holds(Func<Task<bool>> condition, TimeSpan timeout, string what) => Holds(condition, timeout, () => what);

    /// <param name="what">Evaluated on timeout, so it can report the final state.</param>
    public static async Task Holds(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) { Assert.Fail($"not within {timeout.TotalSeconds:0.#} s: {what()}"); }
            await Task.Delay(PollInterval);
        }
    }
}
