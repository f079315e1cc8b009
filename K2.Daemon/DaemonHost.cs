using K2.Catalog;
using K2.ClickHouse;
using K2.Core.Configuration;
using K2.Core.Health;
using K2.Core.Hosting;
using K2.Exchanges;
using K2.Instruments;
using K2.Kafka;
using K2.Maintenance;
using K2.Observability;
using K2.Offload;
using K2.Query;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace K2.Daemon;

/// <summary>Builds the one generic host of the daemon with every module's entry point.</summary>
internal static class DaemonHost
{
    /// <summary>
    /// Returns the host, or null with the configuration problems (one per bad key) when the
    /// configuration is invalid: the caller reports them and exits 2 without starting anything.
    /// The caller enters the process's working directory (<see cref="EnterWorkingDirectory"/>) before running it.
    /// </summary>
    /// <param name="offload">The offload's hosting: on its schedule, or run by the caller (<c>k2 replay</c>).</param>
    public static WebApplication? Create(IReadOnlyDictionary<string, string?>? overrides, out IReadOnlyList<string> problems, JobHosting offload = JobHosting.Scheduled, bool logToStandardError = false)
    {
        var contentRoot = DaemonConfiguration.ContentRoot();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = contentRoot,
            EnvironmentName = DaemonConfiguration.EnvironmentName(),
            ApplicationName = "k2",
        });
        DaemonConfiguration.AddK2Sources(builder.Configuration, contentRoot, builder.Environment.EnvironmentName, overrides);

        builder.Logging.ClearProviders();
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddJsonConsole(json =>
        {
            json.UseUtcTimestamp = true;
            json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            json.IncludeScopes = true;
        });

        // Verbs that print results on stdout (replay) keep their logs on stderr.
        if (logToStandardError) { builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace); }
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));

        var configuration = builder.Configuration;
        var services = builder.Services;
        services.AddValidatedOptions<StorageOptions>(configuration, StorageOptions.SectionName);
        services.AddProcessSettings(configuration);
        services.AddSingleton(TimeProvider.System);

        // Registration order is start order; the host stops services in reverse, so the Kafka
        // publisher (registered before the ingestors) stops — and flushes — after them.
        services.AddInstruments(configuration);
        services.AddObservability(configuration);
        services.AddKafka(configuration);
        services.AddClickHouse(configuration);
        services.AddExchanges(configuration);
        services.AddOffload(configuration, offload);
        services.AddMaintenance(configuration);
        services.AddCatalog(configuration);
        services.AddQuery(configuration);

        services.AddSingleton<IStatusContributor>(new DaemonStatus(ModuleSwitches(services)));

        problems = services.GetConfigurationProblems().All;
        return problems.Count > 0 ? null : builder.Build();
    }

    /// <summary>Moves the process into the working directory of <paramref name="app"/>'s configuration (<see cref="ProcessOptions.WorkingDirectory"/>).</summary>
    public static void EnterWorkingDirectory(WebApplication app) =>
        ProcessSettings.EnterWorkingDirectory(app.Services.GetRequiredService<ProcessOptions>(), app.Configuration);

    /// <summary>Each switchable module's name and whether it is enabled, from its bound options.</summary>
    private static Dictionary<string, bool> ModuleSwitches(IServiceCollection services) =>
        services
            .Where(d => d.ImplementationInstance is ModuleOptions)
            .Select(d => (ModuleOptions)d.ImplementationInstance!)
            .DistinctBy(o => o.GetType())
            .ToDictionary(o => o.GetType().Name.Replace("Options", "", StringComparison.Ordinal), o => o.Enabled);
}
