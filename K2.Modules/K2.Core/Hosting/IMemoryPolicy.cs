namespace K2.Core.Hosting;

/// <summary>
/// What the process does with the memory a large job leaves behind: an offload run's Parquet pages, manifests and row
/// buffers are garbage once it ends. Collecting is a process-wide decision, so it is the host's: it registers a policy
/// from its settings, and a module calls <see cref="LargeJobFinished"/> instead of collecting itself. Without a
/// registered policy nothing happens.
/// </summary>
public interface IMemoryPolicy
{
    /// <summary>Called once a large job has finished and its working memory is unreachable.</summary>
    void LargeJobFinished();
}
