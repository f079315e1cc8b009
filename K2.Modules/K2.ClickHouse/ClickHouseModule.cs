using K2.ClickHouse.Embedded;
using K2.Core.Configuration;
using K2.Core.Health;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace K2.ClickHouse;

public static class ClickHouseModule
{
    /// <summary>The ClickHouse hot tier. <c>Modules:ClickHouse:Enabled</c>.</summary>
    public static IServiceCollection AddClickHouse(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<ClickHouseOptions>(configuration, ClickHouseOptions.SectionName);
        if (!options.Enabled) { return services; }

        if (options.Mode == ClickHouseMode.Embedded)
        {
            var dataPath = K2Paths.UnderDataDir(configuration, options.Embedded.DataPath, "clickhouse");
            var libraryPath = string.IsNullOrWhiteSpace(options.Embedded.LibraryPath) ? null : K2Paths.Resolve(configuration, options.Embedded.LibraryPath);
            services.AddSingleton(_ => ChDbEngine.Open(dataPath, libraryPath));
            services.AddHostedService<EmbeddedEngineStarter>();
            services.AddSingleton<IReadinessCheck, EmbeddedEngineStarter.Readiness>();
        }

        return services;
    }

    /// <summary>Opens the embedded engine while the host starts, so a missing library fails the start with its fix.</summary>
    private sealed class EmbeddedEngineStarter(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var engine = services.GetRequiredService<ChDbEngine>();
            engine.Execute("SELECT 1");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        internal sealed class Readiness(ChDbEngine engine) : IReadinessCheck
        {
            public string Name => "clickhouse";

            public ReadinessResult Check() => ReadinessResult.Ready($"embedded chDB {ChDbEngine.LibraryVersion} at {engine.DataPath}");
        }
    }
}
