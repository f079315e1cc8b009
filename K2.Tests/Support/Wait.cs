namespace K2.Tests.Support;

/// <summary>Polls a condition until it holds or a deadline passes; the only way tests wait.</summary>
public static class Wait
{
    public static async Task Until(Func<bool> condition, TimeSpan timeout, string? what = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) { Assert.Fail($"{what ?? "condition"} not met within {timeout}"); }
            await Task.Delay(20);
        }
    }

    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string? what = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) { Assert.Fail($"{what ?? "condition"} not met within {timeout}"); }
            await Task.Delay(20);
        }
    }
}
