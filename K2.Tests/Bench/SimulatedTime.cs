namespace K2.Bench;

/// <summary>A clock a scenario sets: snapshot and metadata times, and maintenance's notion of now.</summary>
internal sealed class SimulatedTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
