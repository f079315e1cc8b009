using K2.Core.Configuration;
using K2.Iceberg;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace K2.Offload.Scheduling;

/// <summary>
/// Quartz: the offload job on its cron schedule (UTC), in memory or, clustered, in Quartz's ADO job store on the
/// PostgreSQL catalog database (schema provisioned by Quartz) so that several daemons run each offload once.
/// </summary>
internal static class OffloadSchedule
{
    public static void Add(IServiceCollection services, IConfiguration configuration, OffloadOptions options)
    {
        string? connectionString = null;
        if (options.SchedulerStore == OffloadSchedulerStore.Clustered)
        {
            var iceberg = configuration.GetSection(IcebergOptions.SectionName).Get<IcebergOptions>() ?? new IcebergOptions();
            connectionString = Environment.GetEnvironmentVariable(iceberg.PostgresConnectionStringVariable);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                services.GetConfigurationProblems().AddForKey($"{OffloadOptions.SectionName}:SchedulerStore",
                    $"Clustered needs the PostgreSQL catalog database, but environment variable {iceberg.PostgresConnectionStringVariable} (Iceberg:PostgresConnectionStringVariable) is empty; set it, or use Memory");
                return;
            }
        }

        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(scheduler =>
            {
                scheduler.InstanceName = "k2-offload";
                scheduler.InstanceId = "AUTO";
            });
            quartz.AddJob<OffloadJob>(job =>
            {
                job.WithIdentity(OffloadJob.Key);
                job.StoreDurably();
                job.DisallowConcurrentExecution();
            });
            quartz.AddTrigger(trigger =>
            {
                trigger.ForJob(OffloadJob.Key);
                trigger.WithIdentity("offload-schedule", "k2");
                trigger.WithSchedule(CronScheduleBuilder.Create(options.Schedule, CronFormat.Unix).InTimeZone(TimeZoneInfo.Utc));
            });
            if (connectionString is not null)
            {
                quartz.UsePersistentStore(store =>
                {
                    store.UseClustering(_ => { });
                    store.UseSystemTextJsonSerializer(_ => { });
                    store.UsePostgres(connectionString);
                    store.ProvisionSchema();
                });
            }
        });
        services.AddQuartzHostedService(hosted => hosted.WaitForJobsToComplete = true);
    }
}
