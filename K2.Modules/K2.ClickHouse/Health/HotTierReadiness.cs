using K2.Core.Health;

namespace K2.ClickHouse.Health;

internal sealed class HotTierReadiness(HotTierHealth health) : IReadinessCheck
{
    public string Name => "clickhouse";

    public ReadinessResult Check() =>
        health.SchemaProblem is { } schema ? ReadinessResult.NotReady(schema)
        : health.PollProblem is { } poll ? ReadinessResult.NotReady(poll)
        : ReadinessResult.Ready(health.Summary);
}
