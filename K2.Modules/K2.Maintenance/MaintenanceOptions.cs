using System.ComponentModel.DataAnnotations;
using K2.Core.Configuration;

namespace K2.Maintenance;

/// <summary>
/// <c>Modules:Maintenance</c>: the daily job (compaction → snapshot expiry → orphan cleanup → audit) over the cold tables.
/// </summary>
public sealed class MaintenanceOptions : ModuleOptions, IValidatableObject
{
    public const string SectionName = "Modules:Maintenance";

    /// <summary>Quartz cron expression (UTC) of the daily run. Default <c>0 0 2 * * ?</c> (02:00).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "must be a Quartz cron expression, e.g. 0 0 2 * * ?")]
    public string Schedule { get; set; } = "0 0 2 * * ?";

    /// <summary>Compaction rewrites data files below this size into files near it. Default 128 MiB.</summary>
    [Range(1L << 20, 1L << 34, ErrorMessage = "must be between 1 MiB and 16 GiB")]
    public long TargetFileSizeBytes { get; set; } = 128L << 20;

    /// <summary>A day of a partition is compacted only when it has at least this many small files. Default 5.</summary>
    [Range(2, 10_000, ErrorMessage = "must be between 2 and 10000")]
    public int MinSmallFiles { get; set; } = 5;

    /// <summary>
    /// Compaction groups of one table rewritten at the same time. Default 2. Each holds its own sort memory (128 MiB before
    /// spilling) and Parquet buffers in ClickHouse; the embedded engine runs one statement at a time whatever this says.
    /// </summary>
    [Range(1, 64, ErrorMessage = "must be between 1 and 64")]
    public int CompactionParallelGroups { get; set; } = 2;

    /// <summary>
    /// Once a month ended this many days ago, compaction packs its files into files of up to the target size in time order
    /// (until then each day's files are compacted into one per partition). Default 7; 0 keeps a file per day and partition
    /// for ever. ClickHouse's Iceberg reader weighs every live file's manifest entry when it plans a query, whatever range
    /// it asks for, so a year of daily files made every cold query slower.
    /// </summary>
    [Range(0, 3650, ErrorMessage = "must be between 0 (never) and 3650 days")]
    public int PackMonthsAfterDays { get; set; } = 7;

    /// <summary>
    /// Snapshots older than this many hours expire (beyond <see cref="RetainSnapshots"/>). Default 24: every snapshot is
    /// an entry of every metadata file written after it, so at 96 commits a day a week of history made each commit
    /// rewrite seven times the metadata of a day.
    /// </summary>
    [Range(1, 87_600, ErrorMessage = "must be between 1 and 87600 hours")]
    public int SnapshotMaxAgeHours { get; set; } = 24;

    /// <summary>The newest snapshots kept whatever their age. Default 3.</summary>
    [Range(1, 10_000, ErrorMessage = "must be between 1 and 10000")]
    public int RetainSnapshots { get; set; } = 3;

    /// <summary>Unreferenced files younger than this many hours are left alone (a commit may be in flight). Default 72.</summary>
    [Range(1, 87_600, ErrorMessage = "must be between 1 and 87600 hours (at least one: younger files may belong to a commit in flight)")]
    public int OrphanMinAgeHours { get; set; } = 72;

    /// <summary>The audit compares hot and cold over this many hours ending at the current hour. Default 24.</summary>
    [Range(1, 24 * 31, ErrorMessage = "must be between 1 and 744 hours")]
    public int AuditWindowHours { get; set; } = 24;

    /// <summary>A difference up to this percentage of the hot count is <c>ok</c>. Default 1.</summary>
    [Range(0.0, 100.0, ErrorMessage = "must be between 0 and 100")]
    public decimal AuditOkPercent { get; set; } = 1m;

    /// <summary>Cold short of hot by more than this percentage is <c>missing_data</c> (else <c>warning</c>). Default 5.</summary>
    [Range(0.0, 100.0, ErrorMessage = "must be between 0 and 100")]
    public decimal AuditMissingPercent { get; set; } = 5m;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AuditMissingPercent < AuditOkPercent)
        {
            yield return new ValidationResult($"must be at least AuditOkPercent ({AuditOkPercent})", [nameof(AuditMissingPercent)]);
        }

        if (!IsCron(Schedule))
        {
            yield return new ValidationResult("must be a valid Quartz cron expression (seconds first), e.g. 0 0 2 * * ?", [nameof(Schedule)]);
        }
    }

    private static bool IsCron(string expression)
    {
        try
        {
            _ = new Quartz.CronExpression(expression);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
