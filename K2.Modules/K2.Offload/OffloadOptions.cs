using System.ComponentModel.DataAnnotations;
using K2.Core.Configuration;

namespace K2.Offload;

/// <summary><c>Modules:Offload</c>: the job moving hot data to the cold Iceberg tables.</summary>
public sealed class OffloadOptions : ModuleOptions, IValidatableObject
{
    public const string SectionName = "Modules:Offload";

    /// <summary>Five-field Unix cron expression (UTC) of the offload job. Default every 15 minutes: <c>*/15 * * * *</c>.</summary>
    public string Schedule { get; set; } = "*/15 * * * *";

    /// <summary>
    /// Rows ingested less than this long ago are left for the next run, so that a row with a lower Kafka offset still
    /// being inserted is never skipped. Default 5 seconds.
    /// </summary>
    [Range(0, 3600, ErrorMessage = "must be between 0 and 3600 seconds")]
    public double IngestionMarginSeconds { get; set; } = 5;

    /// <summary>A candle is offloaded once its window has been closed this long (late trades still change it before). Default 600.</summary>
    [Range(0, 7 * 86400, ErrorMessage = "must be between 0 and 604800 seconds")]
    public int CandleLatenessSeconds { get; set; } = 600;

    /// <summary>
    /// Bronze and silver backlogs are read from ClickHouse in batches of at most this many Kafka offsets (≈ rows), which
    /// bounds the memory one offload needs whatever the backlog: ClickHouse sorts and deduplicates one batch at a time.
    /// Default 1,000,000.
    /// </summary>
    [Range(1_000, 100_000_000, ErrorMessage = "must be between 1000 and 100000000 rows")]
    public long BatchRows { get; set; } = 1_000_000;

    /// <summary>
    /// Quartz job store: <c>Memory</c> (one daemon) or <c>Clustered</c> (Quartz's ADO store in the PostgreSQL catalog
    /// database, so that several daemons run each offload once). Default Memory.
    /// </summary>
    public OffloadSchedulerStore SchedulerStore { get; set; } = OffloadSchedulerStore.Memory;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Quartz.CronExpression.TryParse(Schedule, Quartz.CronFormat.Unix, out _))
        {
            yield return new ValidationResult("must be a five-field cron expression (minute hour day month weekday, UTC), e.g. '*/15 * * * *'", [nameof(Schedule)]);
        }
    }
}

public enum OffloadSchedulerStore { Memory, Clustered }
