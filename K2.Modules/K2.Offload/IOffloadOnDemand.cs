using K2.Offload.Runs;
using K2.Offload.Tables;

namespace K2.Offload;

/// <summary>
/// The offload run now, outside its schedule: what <c>k2 offload --once</c>, <c>k2 replay</c> and the benchmarks run.
/// Registered by <see cref="OffloadModule.AddOffload"/> (with <see cref="Core.Hosting.JobHosting.OnDemand"/> whatever
/// <c>Modules:Offload:Enabled</c> says). Runs are exactly once like the scheduled ones: a table's rows are committed
/// with its watermark in one catalog transaction.
/// </summary>
public interface IOffloadOnDemand
{
    /// <summary>
    /// One run over every cold table (the three bronze tables, then silver, then the six candle tables), or over
    /// <paramref name="only"/> those. A table that fails does not stop the others: its result carries the error.
    /// </summary>
    Task<IReadOnlyList<OffloadResult>> RunAsync(IReadOnlyCollection<ColdTable>? only = null, CancellationToken cancellationToken = default);
}
