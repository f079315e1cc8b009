using K2.ClickHouse.Gateway;
using K2.ClickHouse.Operations;
using K2.ClickHouse.Schema;
using K2.Core.Configuration;
using K2.Core.Health;
using K2.Core.Hosting;
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
    /// <summary>
    /// The offload of the hot tier to the cold Iceberg tables; needs the ClickHouse module (its gateway and settings)
    /// and registers the Iceberg section when nothing has. <see cref="JobHosting.Scheduled"/> (the daemon): the job on
    /// <c>Modules:Offload:Schedule</c> when <c>Modules:Offload:Enabled</c>. <see cref="JobHosting.OnDemand"/>: no
    /// schedule, run through <see cref="IOffloadOnDemand"/>. Either way <see cref="IOffloadOnDemand"/> and
    /// <see cref="ICandleRewrite"/> are the module's public services; an <see cref="IMemoryPolicy"/> registered by the
    /// host is told when each run ends.
    /// </summary>
    public static IServiceCollection AddOffload(this IServiceCollection services, IConfiguration configuration, JobHosting hosting = JobHosting.Scheduled)
    {
        var options = services.AddValidatedOptions<OffloadOptions>(configuration, OffloadOptions.SectionName);
        if (hosting == JobHosting.Scheduled && !options.Enabled) { return services; }

        if (services.All(d => d.ServiceType != typeof(IcebergWarehouse))) { services.AddIceberg(configuration); }
        services.TryAddColdSource();
        services.AddSingleton(sp => OffloadRunner.Create(
            sp.GetRequiredService<IClickHouseGateway>(),
            sp.GetRequiredService<HotTierSettings>().Database,
            sp.GetRequiredService<IcebergWarehouse>(),
            options,
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("K2.Offload"),
            memory: sp.GetService<IMemoryPolicy>(),
            candles: sp.GetService<CandleRepair>(),
            coldSource: sp.GetRequiredService<ColdSourceSql>()));
        services.AddSingleton<IOffloadOnDemand>(sp => sp.GetRequiredService<OffloadRunner>());
        services.AddSingleton<ICandleRewrite>(sp => sp.GetRequiredService<OffloadRunner>());
        services.AddSingleton<IStatusContributor>(sp => sp.GetRequiredService<OffloadRunner>().Board);
        foreach (var feature in OffloadServerFeatures.All) { services.AddSingleton(feature); }
        if (hosting == JobHosting.Scheduled) { OffloadSchedule.Add(services, configuration, options); }
        return services;
    }
}
