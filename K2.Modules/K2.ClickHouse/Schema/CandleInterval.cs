namespace K2.ClickHouse.Schema;

/// <summary>One OHLCV resolution: table <c>ohlcv_&lt;Name&gt;</c>, view <c>ohlcv_&lt;Name&gt;_final</c>.</summary>
public sealed record CandleInterval(string Name, string SqlInterval, TimeSpan Length)
{
    public static readonly IReadOnlyList<CandleInterval> All =
    [
        new("1m", "1 MINUTE", TimeSpan.FromMinutes(1)),
        new("5m", "5 MINUTE", TimeSpan.FromMinutes(5)),
        new("15m", "15 MINUTE", TimeSpan.FromMinutes(15)),
        new("30m", "30 MINUTE", TimeSpan.FromMinutes(30)),
        new("1h", "1 HOUR", TimeSpan.FromHours(1)),
        new("1d", "1 DAY", TimeSpan.FromDays(1)),
    ];

    public string Table => $"ohlcv_{Name}";

    public string View => $"ohlcv_{Name}_final";

    /// <summary>Start of the window holding <paramref name="time"/> (windows are aligned to the Unix epoch, UTC).</summary>
    public DateTimeOffset WindowStart(DateTimeOffset time) =>
        DateTimeOffset.UnixEpoch.AddTicks((time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / Length.Ticks * Length.Ticks);
}
