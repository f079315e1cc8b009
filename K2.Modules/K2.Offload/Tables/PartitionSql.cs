using System.Globalization;
using System.Text;
using K2.Iceberg.Spec;

namespace K2.Offload.Tables;

/// <summary>
/// Iceberg partition transforms as ClickHouse expressions over the cold columns, so that ClickHouse can split rows into
/// one data file per partition. Each yields the value <see cref="Transform.Apply"/> gives (Int32, or the String itself).
/// </summary>
internal static class PartitionSql
{
    public static string Expression(ColdTable table, PartitionField field)
    {
        var column = $"`{table.Schema.Field(field.SourceId).Name}`";
        return field.Transform.Kind switch
        {
            TransformKind.Identity when IsText(table, field) => column,
            TransformKind.Year => $"toInt32(toYear({column}) - 1970)",
            TransformKind.Month => $"toInt32((toYear({column}) - 1970) * 12 + toMonth({column}) - 1)",
            TransformKind.Day => $"toInt32(toDate32({column}))",
            TransformKind.Bucket => string.Create(CultureInfo.InvariantCulture, $"toInt32(icebergBucket({field.Transform.Parameter}, {column}))"),
            _ => throw new NotSupportedException($"{table.Name}: partition transform {field.Transform} on {column} has no ClickHouse form"),
        };
    }

    /// <summary>Whether the partition value is a string (identity of a string column) rather than an Int32.</summary>
    public static bool IsText(ColdTable table, PartitionField field) =>
        field.Transform.Kind == TransformKind.Identity && table.Schema.Field(field.SourceId).Type is PrimitiveType { Kind: PrimitiveKind.String };

    /// <summary>A partition value as a ClickHouse literal of the expression's type.</summary>
    public static string Literal(object? value) => value switch
    {
        int i => i.ToString(CultureInfo.InvariantCulture),
        string s => $"'{s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}'",
        _ => throw new NotSupportedException($"partition value {value} has no ClickHouse literal"),
    };

    /// <summary>
    /// A String expression naming a row's partition as <see cref="FileName"/> does: the values joined by '_', text as
    /// upper-case hex of its UTF-8 bytes, so that any value gives a safe file name.
    /// </summary>
    public static string FileNameExpression(IReadOnlyList<string> expressions, ColdTable table, IReadOnlyList<PartitionField> fields) => expressions.Count == 0
        ? $"'{EmptyName}'"
        : $"concat({string.Join(", '_', ", expressions.Select((e, i) => IsText(table, fields[i]) ? $"hex({e})" : $"toString({e})"))}, '')";

    /// <summary>The file name (without extension) of a partition; see <see cref="FileNameExpression"/>.</summary>
    public static string FileName(PartitionKey key) => key.Values.Count == 0
        ? EmptyName
        : string.Join("_", key.Values.Select(v => v switch
        {
            int i => i.ToString(CultureInfo.InvariantCulture),
            string s => Convert.ToHexString(Encoding.UTF8.GetBytes(s)),
            _ => throw new NotSupportedException($"partition value {v} has no file name"),
        }));

    /// <summary>The partition a <see cref="FileName"/> names.</summary>
    public static PartitionKey ParseFileName(ColdTable table, string name)
    {
        var fields = table.PartitionSpec.Fields;
        if (fields.Count == 0) { return new PartitionKey([]); }
        var values = name.Split('_');
        if (values.Length != fields.Count) { throw new FormatException($"{table.Name}: file name {name} does not name a partition of {fields.Count} fields"); }
        return new PartitionKey([.. fields.Select((f, i) => IsText(table, f)
            ? (object)Encoding.UTF8.GetString(Convert.FromHexString(values[i]))
            : int.Parse(values[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture))]);
    }

    /// <summary>A condition true for rows of the partitions <paramref name="keys"/>.</summary>
    public static string Filter(IReadOnlyList<string> expressions, IReadOnlyList<PartitionKey> keys)
    {
        var row = $"tuple({string.Join(", ", expressions)})";
        var values = keys.Select(k => $"tuple({string.Join(", ", k.Values.Select(Literal))})").ToList();

        // A one-element list would parse as the tuple itself, whose fields IN would take as the set.
        return values.Count == 1 ? $"{row} = {values[0]}" : $"{row} IN ({string.Join(", ", values)})";
    }

    private const string EmptyName = "all";

    /// <summary>A value read back from TabSeparated output.</summary>
    public static object Parse(ColdTable table, PartitionField field, string text) => IsText(table, field)
        ? text.Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal)
        : int.Parse(text, CultureInfo.InvariantCulture);
}
