using System.Globalization;
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

    /// <summary>A value read back from TabSeparated output.</summary>
    public static object Parse(ColdTable table, PartitionField field, string text) => IsText(table, field)
        ? text.Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal)
        : int.Parse(text, CultureInfo.InvariantCulture);
}
