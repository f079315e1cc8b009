using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Configuration;
using K2.Core.Health;
using K2.Iceberg;
using K2.Iceberg.Tables;
using K2.Maintenance.Audit;
using K2.Offload.Runs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace K2.Maintenance;

public static class MaintenanceModule
{
    /// <summary>
    /// <c>Modules:Maintenance</c>: the daily maintenance of the cold tables (a Quartz job on <c>Schedule</c>, UTC) and
    /// what <c>k2 maintenance</c> and <c>k2 audit</c> run. Needs the ClickHouse module (hot tier) and the Iceberg section.
    /// </summary>
    public static IServiceCollection AddMaintenance(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<MaintenanceOptions>(configuration, MaintenanceOptions.SectionName);
        if (!options.Enabled) { return services; }

        AddRunner(services, configuration);
        services.AddSingleton<IStatusContributor, MaintenanceStatus>();
        services.AddQuartz(quartz => quartz.ScheduleJob<MaintenanceJob>(
            trigger => trigger.WithIdentity("maintenance-daily", "k2").WithCronSchedule(options.Schedule, cron => cron.InTimeZone(TimeZoneInfo.Utc)),
            job => job.WithIdentity(MaintenanceJob.Key)));
        services.AddQuartzHostedService(quartz => quartz.WaitForJobsToComplete = true);
        return services;
    }

    /// <summary>The run and audit without the schedule (the CLI verbs; the ClickHouse module registers the gateway).</summary>
    internal static void AddRunner(IServiceCollection services, IConfiguration configuration)
    {
        if (services.All(d => d.ServiceType != typeof(MaintenanceOptions)))
        {
            services.AddValidatedOptions<MaintenanceOptions>(configuration, MaintenanceOptions.SectionName);
        }

        if (services.All(d => d.ServiceType != typeof(IcebergWarehouse))) { services.AddIceberg(configuration); }
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MaintenanceState>();
        services.TryAddSingleton<IReoffloadRequests>(sp => sp.GetService<OffloadRunner>() is { } runner
            ? new OffloadReoffloadRequests(runner)
            : new LoggedReoffloadRequests(sp.GetRequiredService<ILogger<LoggedReoffloadRequests>>()));
        services.TryAddSingleton(sp => new AuditLog(sp.GetRequiredService<IcebergWarehouse>().Catalog));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<MaintenanceOptions>();
            return new HotColdAuditor(sp.GetRequiredService<IClickHouseGateway>(), sp.GetRequiredService<HotTierSettings>(), sp.GetRequiredService<IcebergWarehouse>(),
                new ColdSourceSql(sp.GetRequiredService<IOptions<IcebergOptions>>().Value.S3), new AuditThresholds(options.AuditOkPercent, options.AuditMissingPercent),
                sp.GetRequiredService<IReoffloadRequests>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<HotColdAuditor>>());
        });
        services.TryAddSingleton<MaintenanceRunner>();
        foreach (var feature in AuditServerFeatures.All) { services.AddSingleton(feature); }
    }
}
