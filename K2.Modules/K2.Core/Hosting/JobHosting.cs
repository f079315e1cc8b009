namespace K2.Core.Hosting;

/// <summary>How a module with a job (the offload, the maintenance) is hosted.</summary>
public enum JobHosting
{
    /// <summary>The daemon: the job runs on its schedule when the module is enabled; a disabled module registers nothing.</summary>
    Scheduled,

    /// <summary>
    /// The job's services without a schedule, whatever <c>Enabled</c> says: for the verbs that run the job once
    /// (<c>k2 offload --once</c>, <c>k2 maintenance --once</c>, <c>k2 replay</c>) through the module's public service.
    /// </summary>
    OnDemand,
}
