namespace K2.Core.Health;

/// <summary>A module's readiness, read from state the module keeps (no I/O). /readyz is ready when all are.</summary>
public interface IReadinessCheck
{
    string Name { get; }

    ReadinessResult Check();
}

public readonly record struct ReadinessResult(bool IsReady, string Detail)
{
    public static ReadinessResult Ready(string detail = "ok") => new(true, detail);

    public static ReadinessResult NotReady(string detail) => new(false, detail);
}
