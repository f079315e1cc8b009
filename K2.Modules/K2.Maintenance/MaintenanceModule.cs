using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Configuration;
using K2.Core.Health;
using K2.Core.Hosting;
using K2.Iceberg;
using K2.Iceberg.Tables;
using K2.Maintenance.Audit;
using K2.Maintenance.Compaction;
using K2.Offload;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Quartz;

namespace K2.Maintenance;

public static class MaintenanceModule
{
    /// <summary>
    /// <c>Modules:Maintenance</c>: the maintenance of the cold tables. Needs the ClickHouse module (hot tier) and
    /// registers the Iceberg section when nothing has. <see cref="JobHosting.Scheduled"/> (the daemon): a daily Quartz job
    /// on <c>Schedule</c> (UTC) when <c>Enabled</c>. <see cref="JobHosting.OnDemand"/>: no schedule. Either way
    /// <see cref="IMaintenanceOnDemand"/> is the module's public service; the audit rewrites revised candle windows through
    /// the offload's <see cref="ICandleRewrite"/> when the offload is in the process, and logs the request otherwise.
    /// </summary>
    public static IServiceCollection AddMaintenance(this IServiceCollection services, IConfiguration configuration, JobHosting hosting = JobHosting.Scheduled)
    {
        var options = services.AddValidatedOptions<MaintenanceOptions>(configuration, MaintenanceOptions.SectionName);
        if (hosting == JobHosting.Scheduled && !options.Enabled) { return services; }

        AddRunner(services, configuration);
        if (hosting == JobHosting.OnDemand) { return services; }

        services.AddSingleton<IStatusContributor, MaintenanceStatus>();
        services.AddQuartz(quartz => quartz.ScheduleJob<MaintenanceJob>(
            trigger => trigger.WithIdentity("maintenance-daily", "k2").WithCronSchedule(options.Schedule, cron => cron.InTimeZone(TimeZoneInfo.Utc)),
            job => job.WithIdentity(MaintenanceJob.Key)));
        services.AddQuartzHostedService(quartz => quartz.WaitForJobsToComplete = true);
        return services;
    }

    private static void AddRunner(IServiceCollection services, IConfiguration configuration)
    {
        if (services.All(d => d.ServiceType != typeof(IcebergWarehouse))) { services.AddIceberg(configuration); }
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MaintenanceState>();
        services.TryAddSingleton<IReoffloadRequests>(sp => sp.GetService<ICandleRewrite>() is { } rewrite
            ? new OffloadReoffloadRequests(rewrite)
            : new LoggedReoffloadRequests(sp.GetRequiredService<ILogger<LoggedReoffloadRequests>>()));
        services.TryAddColdSource();
        services.TryAddSingleton(sp => new AuditLog(sp.GetRequiredService<IcebergWarehouse>().Catalog));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<MaintenanceOptions>();
            return new HotColdAuditor(sp.GetRequiredService<IClickHouseGateway>(), sp.GetRequiredService<HotTierSettings>(), sp.GetRequiredService<IcebergWarehouse>(),
                sp.GetRequiredService<ColdSourceSql>(), new AuditThresholds(options.AuditOkPercent, options.AuditMissingPercent),
                sp.GetRequiredService<IReoffloadRequests>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<HotColdAuditor>>());
        });
        services.TryAddSingleton<MaintenanceRunner>();
        services.TryAddSingleton<IMaintenanceOnDemand>(sp => sp.GetRequiredService<MaintenanceRunner>());
        foreach (var feature in AuditServerFeatures.All.Concat(CompactionServerFeatures.All)) { services.AddSingleton(feature); }
    }
}
