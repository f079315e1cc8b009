namespace K2.Iceberg.Spec;

/// <summary>One partition field: a transform of a source column, with its own id (from 1000).</summary>
public sealed record PartitionField(int SourceId, int FieldId, string Name, Transform Transform);

public sealed record PartitionSpec(int SpecId, IReadOnlyList<PartitionField> Fields)
{
    public const int FirstFieldId = 1000;

    public static readonly PartitionSpec Unpartitioned = new(0, []);

    public bool IsUnpartitioned => Fields.Count == 0;

    /// <summary>The highest partition field id, 999 when unpartitioned (as Java and PyIceberg write).</summary>
    public int LastFieldId => Fields.Select(f => f.FieldId).DefaultIfEmpty(FirstFieldId - 1).Max();

    /// <summary>The partition tuple of a row whose values follow <paramref name="schema"/>'s columns.</summary>
    public PartitionKey KeyOf(Schema schema, IReadOnlyList<object?> row)
    {
        if (IsUnpartitioned) { return PartitionKey.Empty; }
        var values = new object?[Fields.Count];
        for (var i = 0; i < Fields.Count; i++)
        {
            var field = Fields[i];
            var source = schema.Field(field.SourceId);
            values[i] = field.Transform.Apply((PrimitiveType)source.Type, row[schema.IndexOf(field.SourceId)]);
        }

        return new PartitionKey(values);
    }

    public PrimitiveType ResultType(Schema schema, PartitionField field) =>
        field.Transform.ResultType((PrimitiveType)schema.Field(field.SourceId).Type);

    /// <summary>The Hive-style folder of a partition (<c>ts_day=2024-05-01/…</c>).</summary>
    public string PathOf(Schema schema, PartitionKey key)
    {
        if (IsUnpartitioned) { return ""; }
        return string.Join('/', Fields.Select((f, i) => $"{f.Name}={Uri.EscapeDataString(PartitionKey.Human(ResultType(schema, f), key.Values[i]))}"));
    }
}

/// <summary>A partition tuple; equal when all values are equal.</summary>
public sealed class PartitionKey(IReadOnlyList<object?> values) : IEquatable<PartitionKey>
{
    public static readonly PartitionKey Empty = new([]);

    public IReadOnlyList<object?> Values { get; } = values;

    public bool Equals(PartitionKey? other) => other is not null && Values.SequenceEqual(other.Values);

    public override bool Equals(object? obj) => Equals(obj as PartitionKey);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var value in Values) { hash.Add(value); }
        return hash.ToHashCode();
    }

    public override string ToString() => string.Join(",", Values.Select(v => v?.ToString() ?? "null"));

    internal static string Human(PrimitiveType type, object? value) => value switch
    {
        null => "null",
        int days when type.Kind == PrimitiveKind.Date => DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + days).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
