using K2.Core.Configuration;
using K2.Core.Http;
using K2.Iceberg;
using K2.Iceberg.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Catalog;

public static class CatalogModule
{
    /// <summary>The key of the catalog's <see cref="ModuleListener"/> among the keyed services.</summary>
    public const string ListenerKey = "catalog";

    /// <summary>
    /// The Iceberg REST catalog over K2's SQL catalog (<c>Modules:Catalog</c>), read-only, on its own listener
    /// (<c>Modules:Catalog:Listen</c>, default <c>127.0.0.1:8181</c>). <c>Modules:Catalog:Enabled</c>.
    /// </summary>
    public static IServiceCollection AddCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<CatalogOptions>(configuration, CatalogOptions.SectionName);
        if (!options.Enabled) { return services; }

        services.AddIceberg(configuration);
        ListenAddress.TryParse(options.Listen, out var endpoint);
        services.AddSingleton(sp => new CatalogReader(sp.GetRequiredService<IcebergWarehouse>()));
        services.AddSingleton(sp => new CatalogCredentials(options.Auth, sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton<RestCatalogApi>();
        services.AddKeyedSingleton(ListenerKey, (sp, _) => new ModuleListener(ListenerKey, endpoint, app => sp.GetRequiredService<RestCatalogApi>().Map(app), sp.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService(sp => new CatalogStarter(
            sp.GetRequiredKeyedService<ModuleListener>(ListenerKey), sp.GetRequiredService<CatalogReader>(), sp.GetRequiredService<CatalogCredentials>(), sp.GetRequiredService<ILogger<CatalogStarter>>()));
        return services;
    }
}

/// <summary>Starts the catalog's listener with the host (after the Iceberg catalog is prepared) and says where it listens.</summary>
internal sealed class CatalogStarter(ModuleListener listener, CatalogReader reader, CatalogCredentials credentials, ILogger<CatalogStarter> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await listener.StartAsync(cancellationToken).ConfigureAwait(false);
        Log.Listening(logger, reader.CatalogName, reader.WarehouseUri, listener.Address!,
            credentials.Required ? "bearer token or OAuth2 client credentials required" : "open to local clients (no credentials configured)");
    }

    public Task StopAsync(CancellationToken cancellationToken) => listener.StopAsync(cancellationToken);
}
