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
        var lastDueMonth = (int)Transform.Month.Apply(PrimitiveType.TimestampTz, (now - after).UtcDateTime)! - 1;
        return new MonthlyPartitions(metadata, metadata.AddPartitionSpec(monthly, metadata.LastUpdatedMs).Spec, monthly, timeIndex, lastDueMonth);
    }

    /// <summary>The month partition <paramref name="file"/> (of the day spec or the month spec) belongs in, or null while its month is not due.</summary>
    public PartitionKey? MonthOf(DataFile file)
    {
        // The month spec is the day spec with month in the time field's place, so a day key maps to its month key field by field.
        if ((file.SpecId != Spec.SpecId && file.SpecId != metadata.DefaultSpecId) || file.Partition.Values[timeIndex] is not int value) { return null; }
        var month = file.SpecId == Spec.SpecId ? value : (int)Transform.Month.Apply(PrimitiveType.Date, Transform.Day.PeriodStart(value))!;
        if (month > lastDueMonth) { return null; }
        var values = file.Partition.Values.ToArray();
        values[timeIndex] = month;
        return new PartitionKey(values);
    }

    /// <summary>The first day <paramref name="file"/>'s partition covers, to pack a month's files in time order.</summary>
    public DateOnly FirstDayOf(DataFile file) =>
        metadata.SpecById(file.SpecId).Fields[timeIndex].Transform.PeriodStart((int)file.Partition.Values[timeIndex]!);
}
