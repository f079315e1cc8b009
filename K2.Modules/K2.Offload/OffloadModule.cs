using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Configuration;
using K2.Core.Health;
using K2.Iceberg;
using K2.Iceberg.Tables;
using K2.Offload.Hot;
using K2.Offload.Runs;
using K2.Offload.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K2.Offload;

public static class OffloadModule
{
    /// <summary>The offload job (<c>Modules:Offload:Enabled</c>); needs the ClickHouse module.</summary>
    public static IServiceCollection AddOffload(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<OffloadOptions>(configuration, OffloadOptions.SectionName);
        if (!options.Enabled) { return services; }

        AddRunner(services, configuration, options);
        OffloadSchedule.Add(services, configuration, options);
        return services;
    }

    /// <summary>The runner without the schedule, for <c>k2 offload --once</c>.</summary>
    internal static OffloadOptions AddRunner(IServiceCollection services, IConfiguration configuration, OffloadOptions? options = null)
    {
        options ??= services.AddValidatedOptions<OffloadOptions>(configuration, OffloadOptions.SectionName);
        if (services.All(d => d.ServiceType != typeof(IcebergWarehouse))) { services.AddIceberg(configuration); }
        services.AddSingleton(sp => OffloadRunner.Create(
            sp.GetRequiredService<IClickHouseGateway>(),
            sp.GetRequiredService<HotTierSettings>().Database,
            sp.GetRequiredService<IcebergWarehouse>(),
            options,
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("K2.Offload")));
        services.AddSingleton<IStatusContributor>(sp => sp.GetRequiredService<OffloadRunner>().Board);
        foreach (var feature in OffloadServerFeatures.All) { services.AddSingleton(feature); }
        return options;
    }
}
