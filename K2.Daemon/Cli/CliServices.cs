using K2.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Daemon.Cli;

/// <summary>Builds a verb's services from <paramref name="configuration"/>; null, with the problems, when it is invalid.</summary>
internal delegate ServiceProvider? VerbServicesFactory(IConfiguration configuration, out IReadOnlyList<string> problems);

/// <summary>How the verbs that run one module outside the daemon (<c>ddl</c>, <c>offload</c>, <c>maintenance</c>) start.</summary>
internal static class CliServices
{
    /// <summary>
    /// Builds the verb's services from the daemon's configuration and runs <paramref name="action"/> in the process's working
    /// directory, as the daemon would; invalid configuration is reported and nothing runs.
    /// </summary>
    public static async Task<int> RunAsync(VerbServicesFactory build, Func<ServiceProvider, IConfiguration, Task<int>> action)
    {
        var configuration = DaemonConfiguration.Build();
        var services = build(configuration, out var problems);
        if (services is null) { return ExitCodes.ReportConfigurationProblems(problems); }
        await using (services)
        {
            ProcessSettings.EnterWorkingDirectory(services.GetRequiredService<ProcessOptions>(), configuration);
            return await action(services, configuration);
        }
    }
}
