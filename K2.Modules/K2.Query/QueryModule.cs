using K2.ClickHouse;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Configuration;
using K2.Core.Health;
using K2.Iceberg;
using K2.Iceberg.Tables;
using K2.Instruments;
using K2.Kafka;
using K2.Query.Api;
using K2.Query.Live;
using K2.Query.Reading;
using K2.Query.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Query;

public static class QueryModule
{
    /// <summary>
    /// The read API (<c>Modules:Query:Enabled</c>) on its own listener, <c>Modules:Query:Listen</c>: trades, candles,
    /// instruments and the live trade stream over the hot and cold tiers, the feeds and pipeline state of this daemon
    /// (<see cref="IFeedBoard"/>, <see cref="IStatusContributor"/>) and the web console at <c>/</c>. Needs the ClickHouse
    /// module; reads the cold tier through the Iceberg section's warehouse.
    /// </summary>
    public static IServiceCollection AddQuery(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<QueryOptions>(configuration, QueryOptions.SectionName);
        if (!options.Enabled) { return services; }
        if (services.All(d => d.ServiceType != typeof(IClickHouseGateway)))
        {
            services.GetConfigurationProblems().AddForKey($"{QueryOptions.SectionName}:Enabled",
                "the query API reads the hot tier: enable Modules:ClickHouse too, or set Modules:Query:Enabled to false");
            return services;
        }

        foreach (var feature in QueryServerFeatures.All) { services.AddSingleton(feature); }
        services.AddIceberg(configuration);
        RequireServerCredentials(services, configuration);

        // Credentials travel in SQL only to the embedded engine (in process); a server reads with its named collection.
        services.TryAddColdSource();
        services.AddSingleton(sp => new ColdPins(sp.GetRequiredService<IcebergWarehouse>(), sp.GetRequiredService<ColdSourceSql>()));
        services.AddSingleton(sp => new QueryContext(
            sp.GetRequiredService<IClickHouseGateway>(),
            sp.GetRequiredService<HotTierSettings>().Database,
            sp.GetRequiredService<ColdPins>(),
            new SymbolResolver(sp.GetRequiredService<IInstrumentRegistry>()),
            new InstrumentRanges(sp.GetRequiredService<IClickHouseGateway>(), sp.GetRequiredService<HotTierSettings>().Database, sp.GetRequiredService<ColdPins>(),
                sp.GetService<TimeProvider>() ?? TimeProvider.System),
            options,
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("K2.Query")));
        services.AddSingleton(sp => new LiveTradeHub(
            sp.GetRequiredService<KafkaConnection>(),
            sp.GetRequiredService<HotTierSettings>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("K2.Query.Live")));
        services.AddSingleton(sp => new DaemonState(sp.GetService<IFeedBoard>(), sp.GetServices<IStatusContributor>()));
        services.AddSingleton<QueryServer>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<QueryServer>());
        return services;
    }

    /// <summary>
    /// A ClickHouse server reads an S3 warehouse with credentials of its own: K2 never sends them in SQL over HTTP, so
    /// without the server's named collection cold reads could not work and the daemon refuses to start.
    /// </summary>
    private static void RequireServerCredentials(IServiceCollection services, IConfiguration configuration)
    {
        // Raw values: a bad one is reported by the module that owns it, and must not stop this check with an exception.
        var server = string.Equals(configuration[$"{ClickHouseOptions.SectionName}:{nameof(ClickHouseOptions.Mode)}"], nameof(ClickHouseMode.Http), StringComparison.OrdinalIgnoreCase);
        var warehouse = configuration[$"{IcebergOptions.SectionName}:{nameof(IcebergOptions.Warehouse)}"] ?? new IcebergOptions().Warehouse;
        var collection = configuration[$"{IcebergOptions.SectionName}:S3:{nameof(S3StorageOptions.ServerCredentialsCollection)}"];
        if (server && warehouse.StartsWith("s3://", StringComparison.Ordinal) && string.IsNullOrEmpty(collection))
        {
            services.GetConfigurationProblems().AddForKey($"{IcebergOptions.SectionName}:S3:{nameof(S3StorageOptions.ServerCredentialsCollection)}",
                "the query API reads the S3 cold tier through the ClickHouse server, and K2 sends no credentials in SQL to a server: define a named " +
                "collection with the store's access_key_id and secret_access_key on the server (deploy/clickhouse/s3.xml) and name it here");
        }
    }
}
