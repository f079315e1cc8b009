namespace K2.Core.Time;

/// <summary>Microseconds since the Unix epoch, the one time unit of K2's records.</summary>
public static class UnixMicros
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    public static long Now(TimeProvider clock) => FromDateTimeOffset(clock.GetUtcNow());

    public static long FromDateTimeOffset(DateTimeOffset value) =>
        (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TicksPerMicrosecond;

    public static DateTimeOffset ToDateTimeOffset(long micros) =>
        DateTimeOffset.UnixEpoch.AddTicks(micros * TicksPerMicrosecond);
}
