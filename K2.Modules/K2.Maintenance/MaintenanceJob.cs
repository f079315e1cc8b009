using K2.Offload.Tables;
using Quartz;

namespace K2.Maintenance;

/// <summary>The daily Quartz job (<c>Modules:Maintenance:Schedule</c>, UTC); never two at once.</summary>
[DisallowConcurrentExecution]
internal sealed class MaintenanceJob(MaintenanceRunner runner) : IJob
{
    public static readonly JobKey Key = new("maintenance", "k2");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await runner.RunAsync(ColdTables.All, cancellationToken).ConfigureAwait(false);
}
