using K2.Offload.Runs;
using Quartz;

namespace K2.Offload.Scheduling;

/// <summary>The scheduled offload run; never two at once in one scheduler (and, clustered, in the whole cluster).</summary>
[DisallowConcurrentExecution]
internal sealed class OffloadJob(OffloadRunner runner) : IJob
{
    public static readonly JobKey Key = new("offload", "k2");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await runner.RunAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
}
