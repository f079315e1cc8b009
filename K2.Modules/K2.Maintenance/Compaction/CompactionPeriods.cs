using K2.Iceberg.Spec;

namespace K2.Maintenance.Compaction;

/// <summary>Where compaction puts one file: a partition of the default spec and the period whose files are rewritten together.</summary>
/// <param name="Period">The file's day (days since 1970) while its month is recent; its month (months since 1970) once the month is due.</param>
/// <param name="Start">The file's first time value, to pack a month's files in time order.</param>
/// <param name="Moves">The file was written by an older partition spec and is rewritten into the default one, even alone.</param>
internal sealed record Placement(PartitionKey Partition, int Period, bool MonthDue, DateTime Start, bool Moves);

/// <summary>
/// The time side of compaction planning. A table's files are placed in the partition of its default spec their rows
/// belong in: a file of an older spec (the day partitions of tables created before K2 partitioned by month) moves into
/// it. Within a partition, a day's files are compacted together while its month is recent, and once the month ended the
/// configured time ago all of its files are packed in time order. A file's day and month come from the lower bound of the
/// time column in its manifest entry, so they are known whatever spec wrote the file and however coarse its partition is.
/// </summary>
internal sealed class CompactionPeriods
{
    private readonly TableMetadata _metadata;
    private readonly PartitionField? _time;
    private readonly PrimitiveType? _timeType;
    private readonly int _lastDueMonth;

    private CompactionPeriods(TableMetadata metadata, int lastDueMonth)
    {
        _metadata = metadata;
        _lastDueMonth = lastDueMonth;
        _time = metadata.DefaultSpec.Fields.FirstOrDefault(f => f.Transform.Kind is TransformKind.Year or TransformKind.Month or TransformKind.Day or TransformKind.Hour);
        _timeType = _time is null ? null : (PrimitiveType)metadata.CurrentSchema.Field(_time.SourceId).Type;
    }

    /// <summary>The default spec, which every compacted file is written in.</summary>
    public PartitionSpec Spec => _metadata.DefaultSpec;

    /// <param name="packMonthsAfter">How long after its end a month's files are packed together; zero never.</param>
    public static CompactionPeriods For(TableMetadata metadata, TimeSpan packMonthsAfter, DateTimeOffset now) =>
        new(metadata, packMonthsAfter <= TimeSpan.Zero ? int.MinValue : (int)Transform.Month.Apply(PrimitiveType.TimestampTz, (now - packMonthsAfter).UtcDateTime)! - 1);

    /// <summary>Where <paramref name="file"/> goes, or null when its rows cannot be placed in one partition of the default spec (it is left alone).</summary>
    public Placement? Place(DataFile file)
    {
        var (lower, upper) = (Bound(file.LowerBounds), Bound(file.UpperBounds));
        var moves = file.SpecId != _metadata.DefaultSpecId;
        var partition = moves ? MovedPartition(file, lower, upper) : file.Partition;
        if (partition is null) { return null; }
        if (lower is not { } start) { return new Placement(partition, int.MinValue, MonthDue: false, DateTime.MinValue, moves); }
        var month = (int)Transform.Month.Apply(_timeType!, start)!;
        return month <= _lastDueMonth
            ? new Placement(partition, month, MonthDue: true, start, moves)
            : new Placement(partition, (int)Transform.Day.Apply(_timeType!, start)!, MonthDue: false, start, moves);
    }

    /// <summary>The default spec's partition of a file of another spec: fields both specs have are copied, the time field is taken from the file's bounds.</summary>
    private PartitionKey? MovedPartition(DataFile file, DateTime? lower, DateTime? upper)
    {
        var fields = _metadata.SpecById(file.SpecId).Fields.ToList();
        var values = new object?[Spec.Fields.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var field = Spec.Fields[i];
            var same = fields.FindIndex(f => f.SourceId == field.SourceId && f.Transform == field.Transform);
            var first = field == _time && lower is { } from ? field.Transform.Apply(_timeType!, from) : null;
            if (same >= 0) { values[i] = file.Partition.Values[same]; }
            else if (first is not null && upper is { } to && Equals(first, field.Transform.Apply(_timeType!, to))) { values[i] = first; }
            else { return null; }
        }

        return new PartitionKey(values);
    }

    private DateTime? Bound(IReadOnlyDictionary<int, byte[]> bounds) =>
        _time is not null && bounds.TryGetValue(_time.SourceId, out var bytes)
            ? SingleValue.Decode(_timeType!, bytes) switch { DateTime t => t, DateOnly d => d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), _ => null }
            : null;
}
