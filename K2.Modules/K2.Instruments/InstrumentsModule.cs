using K2.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Instruments;

public static class InstrumentsModule
{
    /// <summary>
    /// Loads and validates instruments.yaml now (problems go to <see cref="ConfigurationProblems"/>),
    /// registers <see cref="IInstrumentRegistry"/> and the hot-reload watcher. Always on.
    /// </summary>
    public static IServiceCollection AddInstruments(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<InstrumentsOptions>(configuration, InstrumentsOptions.SectionName);
        var path = K2Paths.Resolve(configuration, options.Path);
        var initial = InstrumentSet.Empty;
        try
        {
            initial = InstrumentsFileParser.ParseFile(path);
        }
        catch (InstrumentsFileException ex)
        {
            var problems = services.GetConfigurationProblems();
            foreach (var problem in ex.Problems) { problems.Add(problem); }
        }

        services.AddSingleton(sp => new InstrumentRegistry(initial, path, sp.GetRequiredService<ILogger<InstrumentRegistry>>()));
        services.AddSingleton<IInstrumentRegistry>(sp => sp.GetRequiredService<InstrumentRegistry>());
        services.AddSingleton<IHostedService, InstrumentsFileWatcher>();
        return services;
    }
}
