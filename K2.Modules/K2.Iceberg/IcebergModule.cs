using Amazon.Runtime;
using K2.Core.Configuration;
using K2.Core.Health;
using K2.Iceberg.Catalog;
using K2.Iceberg.Parquet;
using K2.Iceberg.Storage;
using K2.Iceberg.Tables;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace K2.Iceberg;

public static class IcebergModule
{
    /// <summary>
    /// K2's Iceberg tables (<c>Iceberg</c> section): registers <see cref="IcebergWarehouse"/>, prepared at host start
    /// (catalog tables, cleanup of interrupted commits). A library used by Offload and Maintenance, always available;
    /// calling it from several modules registers it once.
    /// </summary>
    public static IServiceCollection AddIceberg(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<IcebergOptions>(configuration, IcebergOptions.SectionName);
        if (options.Catalog == CatalogDatabase.Postgres && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(options.PostgresConnectionStringVariable)))
        {
            services.GetConfigurationProblems().AddForKey($"{IcebergOptions.SectionName}:{nameof(IcebergOptions.PostgresConnectionStringVariable)}",
                $"Catalog is Postgres but environment variable {options.PostgresConnectionStringVariable} is empty; set it to a PostgreSQL connection string (or use Catalog Sqlite)");
        }

        var sqlitePath = K2Paths.UnderDataDir(configuration, options.SqlitePath, "iceberg-catalog.db");
        var warehouse = options.Warehouse.StartsWith("s3://", StringComparison.Ordinal)
            ? options.Warehouse
            : K2Paths.UnderDataDir(configuration, options.Warehouse, "warehouse");
        services.TryAddSingleton(sp => CreateWarehouse(options, sqlitePath, warehouse, sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILogger<IcebergWarehouse>>()));
        services.TryAddSingleton<IcebergStarter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, IcebergStarter>(sp => sp.GetRequiredService<IcebergStarter>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReadinessCheck, IcebergStarter>(sp => sp.GetRequiredService<IcebergStarter>()));
        return services;
    }

    internal static IcebergWarehouse CreateWarehouse(IcebergOptions options, string sqlitePath, string warehouse, TimeProvider time, ILogger<IcebergWarehouse>? logger)
    {
        var catalog = options.Catalog == CatalogDatabase.Postgres
            ? PostgresCatalog(options)
            : SqliteCatalog(options.CatalogName, sqlitePath);
        IObjectStore store = warehouse.StartsWith("s3://", StringComparison.Ordinal)
            ? new S3ObjectStore(warehouse, options.S3, Credentials(options.S3))
            : new LocalObjectStore(warehouse);
        return new IcebergWarehouse(catalog, store, new WriterSettings(options.TargetFileSizeBytes, options.RowGroupRows), time, logger);
    }

    public static SqlCatalog SqliteCatalog(string catalogName, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30, Pooling = true }.ToString();
        return new SqlCatalog(catalogName, CatalogDatabase.Sqlite, () => new SqliteConnection(connectionString));
    }

    public static SqlCatalog PostgresCatalog(string catalogName, string connectionString) =>
        new(catalogName, CatalogDatabase.Postgres, () => new NpgsqlConnection(connectionString));

    private static SqlCatalog PostgresCatalog(IcebergOptions options)
    {
        var connectionString = Environment.GetEnvironmentVariable(options.PostgresConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException($"Iceberg:Catalog is Postgres but environment variable {options.PostgresConnectionStringVariable} (Iceberg:PostgresConnectionStringVariable) is empty; set it to a PostgreSQL connection string");
        }

        return PostgresCatalog(options.CatalogName, connectionString);
    }

    private static BasicAWSCredentials? Credentials(S3StorageOptions s3)
    {
        var access = Environment.GetEnvironmentVariable(s3.AccessKeyVariable);
        var secret = Environment.GetEnvironmentVariable(s3.SecretKeyVariable);
        return string.IsNullOrEmpty(access) || string.IsNullOrEmpty(secret) ? null : new BasicAWSCredentials(access, secret);
    }
}
