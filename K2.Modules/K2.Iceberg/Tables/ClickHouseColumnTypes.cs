using K2.Iceberg.Spec;

namespace K2.Iceberg.Tables;

/// <summary>
/// The ClickHouse type that reads an Iceberg column from Parquet and writes it back in the Parquet form the table's
/// data files have (the forms ClickHouse's encoder gives the offload's files).
/// </summary>
public static class ClickHouseColumnTypes
{
    /// <summary><c>name Type, …</c> for every column of <paramref name="schema"/>.</summary>
    public static string Structure(Schema schema) => string.Join(", ", schema.Fields.Select(f => $"`{f.Name}` {Of(f.Type, f.Required)}"));

    public static string Of(IcebergType type, bool required) => type switch
    {
        // ClickHouse has no nullable arrays or maps: an absent list or map is read, and written back, empty.
        ListType list => $"Array({Of(list.Element, list.ElementRequired)})",
        MapType map => $"Map({Of(map.Key, true)}, {Of(map.Value, map.ValueRequired)})",
        PrimitiveType primitive => required ? Primitive(primitive) : $"Nullable({Primitive(primitive)})",
        _ => throw new NotSupportedException($"compaction cannot read Iceberg type {type}"),
    };

    private static string Primitive(PrimitiveType type) => type.Kind switch
    {
        PrimitiveKind.Boolean => "Bool",
        PrimitiveKind.Int => "Int32",
        PrimitiveKind.Long => "Int64",
        PrimitiveKind.Float => "Float32",
        PrimitiveKind.Double => "Float64",
        PrimitiveKind.Decimal => $"Decimal({type.Precision}, {type.Scale})",
        PrimitiveKind.Date => "Date32",
        PrimitiveKind.TimestampTz => "DateTime64(6, 'UTC')",
        PrimitiveKind.String or PrimitiveKind.Binary => "String",
        _ => throw new NotSupportedException($"compaction cannot rewrite Iceberg {type} columns through ClickHouse"),
    };
}
