using K2.ClickHouse;
using K2.ClickHouse.Embedded;
using K2.Core.Configuration;
using K2.Daemon;
using K2.Iceberg;
using K2.Iceberg.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Bench;

/// <summary>
/// Modules composed for a scenario through their public entry points, from the scenario's own settings, as the daemon
/// composes them from its configuration (the host's process settings included).
/// </summary>
internal static class BenchServices
{
    /// <exception cref="InvalidOperationException">The settings are invalid; the message names each problem.</exception>
    public static ServiceProvider Build(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection, IConfiguration> addModules)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System);
        services.AddProcessSettings(configuration);
        addModules(services, configuration);
        var problems = services.GetConfigurationProblems();
        if (problems.Any) { throw new InvalidOperationException("invalid benchmark settings: " + string.Join("; ", problems.All)); }
        return services.BuildServiceProvider();
    }

    /// <summary>The Iceberg settings of a local warehouse in <paramref name="folder"/> with a SQLite catalog, and the Iceberg defaults otherwise.</summary>
    public static Dictionary<string, string?> LocalWarehouse(string folder, string catalogName) => new()
    {
        ["Iceberg:CatalogName"] = catalogName,
        ["Iceberg:Catalog"] = "Sqlite",
        ["Iceberg:SqlitePath"] = Path.Combine(folder, "catalog.db"),
        ["Iceberg:Warehouse"] = Path.Combine(folder, "warehouse"),
    };

    /// <summary>A started <see cref="IcebergWarehouse"/> in <paramref name="folder"/> (see <see cref="LocalWarehouse"/>), owned by the returned services.</summary>
    public static async Task<(ServiceProvider Services, IcebergWarehouse Warehouse)> StartWarehouseAsync(string folder, string catalogName, CancellationToken cancellationToken)
    {
        var services = Build(LocalWarehouse(folder, catalogName), (s, c) => s.AddIceberg(c));
        var warehouse = services.GetRequiredService<IcebergWarehouse>();
        await warehouse.StartAsync(cancellationToken);
        return (services, warehouse);
    }

    /// <summary>
    /// An embedded engine whose working directory, and so user_files_path, is <paramref name="dataDir"/>: ClickHouse reads
    /// local files only there, and the scenarios using this read the warehouse they write under it.
    /// </summary>
    public static ChDbEngine OpenEngineReadingDataDir(string dataDir)
    {
        Directory.SetCurrentDirectory(dataDir);
        return ChDbEngine.Open(Path.Combine(dataDir, "chdb"), serverSettings: new EmbeddedClickHouseOptions().ServerSettings());
    }
}
