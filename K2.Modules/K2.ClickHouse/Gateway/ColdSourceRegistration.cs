using K2.Iceberg;
using K2.Iceberg.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace K2.ClickHouse.Gateway;

/// <summary>The one <see cref="ColdSourceSql"/> of a host, for each module that reads the cold tier through ClickHouse.</summary>
public static class ColdSourceRegistration
{
    /// <summary>
    /// Registers <see cref="ColdSourceSql"/> unless a module did already: the warehouse's S3 settings, with credentials in
    /// the SQL text only for the embedded engine, which runs in this process.
    /// </summary>
    public static IServiceCollection TryAddColdSource(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new ColdSourceSql(sp.GetRequiredService<IOptions<IcebergOptions>>().Value.S3,
            inlineCredentials: sp.GetRequiredService<IClickHouseGateway>().Kind == "embedded"));
        return services;
    }
}
