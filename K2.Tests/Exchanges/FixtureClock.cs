namespace K2.Tests.Exchanges;

/// <summary>
/// The wall clock as it read when the fixtures were recorded (their trades are of 2026-02-17, 14:30 UTC), running at
/// real speed: gaps in replayed fixtures are as recent, against the backfill horizon, as they were live.
/// </summary>
internal sealed class FixtureClock : TimeProvider
{
    private static readonly DateTimeOffset RecordedAt = new(2026, 2, 17, 14, 31, 0, TimeSpan.Zero);
    private readonly TimeSpan _behind = DateTimeOffset.UtcNow - RecordedAt;

    public static FixtureClock Instance { get; } = new();

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() - _behind;
}
