namespace K2.ClickHouse.Health;

/// <summary>What readiness reads: whether the schema is applied and how the last health poll went.</summary>
internal sealed class HotTierHealth
{
    private volatile string? _schemaProblem = "schema not applied yet";
    private volatile string? _pollProblem;
    private volatile string _summary = "";

    public string? SchemaProblem => _schemaProblem;

    public string? PollProblem => _pollProblem;

    public string Summary => _summary;

    public void SchemaApplied(string summary)
    {
        _schemaProblem = null;
        _summary = summary;
    }

    public void SchemaFailed(string problem) => _schemaProblem = problem;

    public void Polled(string? problem) => _pollProblem = problem;
}
