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
            // One cluster name for every daemon and an instance id of its own: with a shared id the nodes take one another
            // for a crashed predecessor and the cluster no longer separates them (Quartz 4 keeps "AUTO" as a literal id).
            quartz.ConfigureScheduler(scheduler => scheduler.InstanceName = "k2-offload");
            quartz.UseInstanceIdGenerator(new DaemonInstanceId());
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

/// <summary>A cluster instance id unique to this daemon process: host, process id and start time.</summary>
internal sealed class DaemonInstanceId : Quartz.Extensibility.IInstanceIdGenerator
{
    public ValueTask<string> GenerateInstanceId(CancellationToken cancellationToken) =>
        ValueTask.FromResult(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Environment.MachineName}-{Environment.ProcessId}-{DateTime.UtcNow.Ticks}"));
}
