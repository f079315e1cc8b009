using K2.Iceberg.Spec;

namespace K2.Maintenance.Compaction;

/// <summary>
/// The monthly counterpart of a table partitioned by day: its default spec with the day transform replaced by month
/// (added to the table by partition evolution when first used), and for each live file the month partition it belongs
/// in once its month is due, i.e. ended at least the configured time ago. ClickHouse's Iceberg reader weighs every live
/// file's manifest entry when it plans a query, whatever the query's range, so a year of day partitions costs every
/// query; a month partition holds a month's files in one.
/// </summary>
internal sealed class MonthlyPartitions(TableMetadata metadata, PartitionSpec spec, IReadOnlyList<PartitionField> fields, int timeIndex, int lastDueMonth)
{
    /// <summary>The month spec: the table's own if it has one already, else the one <see cref="Fields"/> will add.</summary>
    public PartitionSpec Spec { get; } = spec;

    /// <summary>The month spec's fields, for <c>IcebergTable.AddPartitionSpecAsync</c>.</summary>
    public IReadOnlyList<PartitionField> Fields { get; } = fields;

    /// <summary>Null when the table's default spec has no day field or months are never due (<paramref name="after"/> zero).</summary>
    public static MonthlyPartitions? For(TableMetadata metadata, TimeSpan after, DateTimeOffset now)
    {
        var fields = metadata.DefaultSpec.Fields;
        var timeIndex = fields.ToList().FindIndex(f => f.Transform == Transform.Day);
        if (timeIndex < 0 || after <= TimeSpan.Zero) { return null; }
        var day = fields[timeIndex];
        var name = day.Name.EndsWith("_day", StringComparison.Ordinal) ? day.Name[..^4] + "_month" : day.Name + "_month";
        var monthly = fields.Select((f, i) => i == timeIndex ? f with { Name = name, Transform = Transform.Month } : f).ToList();
        var lastDueMonth = MonthOf(DateOnly.FromDateTime((now - after).UtcDateTime)) - 1;
        return new MonthlyPartitions(metadata, metadata.AddPartitionSpec(monthly, metadata.LastUpdatedMs).Spec, monthly, timeIndex, lastDueMonth);
    }

    /// <summary>The month partition <paramref name="file"/> belongs in, or null while its month is not due.</summary>
    public PartitionKey? MonthOf(DataFile file)
    {
        var fileSpec = metadata.SpecById(file.SpecId);
        var values = new object?[Spec.Fields.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var target = Spec.Fields[i];
            var index = fileSpec.Fields.ToList().FindIndex(f => f.SourceId == target.SourceId && f.Transform == target.Transform);
            if (index >= 0)
            {
                values[i] = file.Partition.Values[index];
                continue;
            }

            var day = i == timeIndex ? fileSpec.Fields.ToList().FindIndex(f => f.SourceId == target.SourceId && f.Transform == Transform.Day) : -1;
            if (day < 0 || file.Partition.Values[day] is not int days) { return null; }
            values[i] = MonthOf(FromDays(days));
        }

        return values[timeIndex] is int month && month <= lastDueMonth ? new PartitionKey(values) : null;
    }

    /// <summary>The first day <paramref name="file"/>'s partition covers, to pack a month's files in time order.</summary>
    public DateOnly FirstDayOf(DataFile file)
    {
        var fileSpec = metadata.SpecById(file.SpecId);
        var time = fileSpec.Fields.ToList().FindIndex(f => f.SourceId == Spec.Fields[timeIndex].SourceId && f.Transform is { Kind: TransformKind.Day or TransformKind.Month });
        return (time < 0 ? null : file.Partition.Values[time]) switch
        {
            int value when fileSpec.Fields[time].Transform == Transform.Day => FromDays(value),
            int months => new DateOnly(1970 + (months / 12), (months % 12) + 1, 1),
            _ => DateOnly.MinValue,
        };
    }

    private static int MonthOf(DateOnly date) => (int)Transform.Month.Apply(PrimitiveType.Date, date)!;

    private static DateOnly FromDays(int days) => DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + days);
}
