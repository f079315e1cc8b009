namespace K2.Tests.Kafka;

/// <summary>Polls a condition until a deadline (no sleeps as synchronization).</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) { throw new TimeoutException($"not within {seconds} s: {what}"); }
            await Task.Delay(20);
        }
    }
}
