using K2.Core.Configuration;
using K2.Core.Hosting;
using K2.Core.Native;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Daemon;

/// <summary>
/// Applies <see cref="ProcessOptions"/>: the host's part of every verb that runs K2's modules, and of the benchmarks,
/// which run them as the daemon does.
/// </summary>
public static class ProcessSettings
{
    /// <summary>
    /// What must happen as the process starts, before native libraries start their threads: the glibc arena cap, from
    /// the daemon's configuration tree. A bad value is skipped here; the verb's own validation
    /// (<see cref="AddProcessSettings"/>) reports it.
    /// </summary>
    public static void ApplyAtStart()
    {
        var problems = new ConfigurationProblems();
        var options = OptionsBinder.Bind<ProcessOptions>(DaemonConfiguration.Build().GetSection(ProcessOptions.SectionName), problems);
        if (!problems.Any && options.GlibcArenas > 0) { GlibcHeap.LimitArenas(options.GlibcArenas); }
    }

    /// <summary>Binds and validates the <c>Process</c> section and registers the host's <see cref="IMemoryPolicy"/>.</summary>
    public static ProcessOptions AddProcessSettings(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<ProcessOptions>(configuration, ProcessOptions.SectionName);
        if (options.CompactHeapAfterLargeJobs) { services.AddSingleton<IMemoryPolicy, CompactingMemoryPolicy>(); }
        return options;
    }

    /// <summary>
    /// Moves the process into its working directory (created when missing). Called by a verb once its configuration is
    /// valid and before the modules' services open anything: the embedded ClickHouse engine reads local files relative to it.
    /// </summary>
    public static void EnterWorkingDirectory(ProcessOptions options, IConfiguration configuration)
    {
        var folder = string.IsNullOrWhiteSpace(options.WorkingDirectory) ? K2Paths.DataDir(configuration) : K2Paths.Resolve(configuration, options.WorkingDirectory);
        Directory.CreateDirectory(folder);
        Directory.SetCurrentDirectory(folder);
    }

    private sealed class CompactingMemoryPolicy : IMemoryPolicy
    {
        public void LargeJobFinished() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
