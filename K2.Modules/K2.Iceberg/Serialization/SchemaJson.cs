using System.Text;
using System.Text.Json;
using K2.Iceberg.Spec;

namespace K2.Iceberg.Serialization;

/// <summary>Schema, partition-spec and sort-order JSON (spec Appendix C).</summary>
internal static class SchemaJson
{
    public static string SchemaText(Schema schema) => Text(w => WriteSchema(w, schema));

    /// <summary>The manifest header form: the spec's fields only, as a JSON array.</summary>
    public static string PartitionFieldsText(PartitionSpec spec) => Text(w => WritePartitionFields(w, spec));

    public static string Text(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) { write(writer); }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static void WriteSchema(Utf8JsonWriter w, Schema schema)
    {
        w.WriteStartObject();
        w.WriteString("type", "struct");
        w.WriteNumber("schema-id", schema.SchemaId);
        w.WriteStartArray("fields");
        foreach (var field in schema.Fields)
        {
            w.WriteStartObject();
            w.WriteNumber("id", field.Id);
            w.WriteString("name", field.Name);
            w.WriteBoolean("required", field.Required);
            w.WritePropertyName("type");
            WriteType(w, field.Type);
            if (field.Doc is not null) { w.WriteString("doc", field.Doc); }
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteType(Utf8JsonWriter w, IcebergType type)
    {
        switch (type)
        {
            case PrimitiveType p: w.WriteStringValue(p.ToString()); break;
            case ListType l:
                w.WriteStartObject();
                w.WriteString("type", "list");
                w.WriteNumber("element-id", l.ElementId);
                w.WriteString("element", l.Element.ToString());
                w.WriteBoolean("element-required", l.ElementRequired);
                w.WriteEndObject();
                break;
            case MapType m:
                w.WriteStartObject();
                w.WriteString("type", "map");
                w.WriteNumber("key-id", m.KeyId);
                w.WriteString("key", m.Key.ToString());
                w.WriteNumber("value-id", m.ValueId);
                w.WriteString("value", m.Value.ToString());
                w.WriteBoolean("value-required", m.ValueRequired);
                w.WriteEndObject();
                break;
            default: throw new NotSupportedException(type.ToString());
        }
    }

    public static void WritePartitionFields(Utf8JsonWriter w, PartitionSpec spec)
    {
        w.WriteStartArray();
        foreach (var f in spec.Fields)
        {
            w.WriteStartObject();
            w.WriteString("name", f.Name);
            w.WriteString("transform", f.Transform.ToString());
            w.WriteNumber("source-id", f.SourceId);
            w.WriteNumber("field-id", f.FieldId);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    public static void WriteSortOrder(Utf8JsonWriter w, SortOrder order)
    {
        w.WriteStartObject();
        w.WriteNumber("order-id", order.OrderId);
        w.WriteStartArray("fields");
        foreach (var f in order.Fields)
        {
            w.WriteStartObject();
            w.WriteString("transform", f.Transform.ToString());
            w.WriteNumber("source-id", f.SourceId);
            w.WriteString("direction", f.Direction);
            w.WriteString("null-order", f.NullOrder);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static Schema ReadSchema(JsonElement e) => new(
        e.GetProperty("schema-id").GetInt32(),
        [.. e.GetProperty("fields").EnumerateArray().Select(f => new NestedField(
            f.GetProperty("id").GetInt32(), f.GetProperty("name").GetString()!, f.GetProperty("required").GetBoolean(),
            ReadType(f.GetProperty("type")), f.TryGetProperty("doc", out var doc) ? doc.GetString() : null))]);

    private static IcebergType ReadType(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.String) { return PrimitiveType.Parse(e.GetString()!); }
        return e.GetProperty("type").GetString() switch
        {
            "list" => new ListType(e.GetProperty("element-id").GetInt32(), e.GetProperty("element-required").GetBoolean(), PrimitiveType.Parse(e.GetProperty("element").GetString()!)),
            "map" => new MapType(e.GetProperty("key-id").GetInt32(), PrimitiveType.Parse(e.GetProperty("key").GetString()!),
                e.GetProperty("value-id").GetInt32(), e.GetProperty("value-required").GetBoolean(), PrimitiveType.Parse(e.GetProperty("value").GetString()!)),
            var other => throw new NotSupportedException($"nested type '{other}' is not supported by this writer"),
        };
    }

    public static PartitionSpec ReadSpec(JsonElement e) => new(
        e.GetProperty("spec-id").GetInt32(),
        [.. e.GetProperty("fields").EnumerateArray().Select(f => new PartitionField(
            f.GetProperty("source-id").GetInt32(), f.GetProperty("field-id").GetInt32(), f.GetProperty("name").GetString()!,
            Transform.Parse(f.GetProperty("transform").GetString()!)))]);

    public static SortOrder ReadSortOrder(JsonElement e) => new(
        e.GetProperty("order-id").GetInt32(),
        [.. e.GetProperty("fields").EnumerateArray().Select(f => new SortField(
            f.GetProperty("source-id").GetInt32(), Transform.Parse(f.GetProperty("transform").GetString()!),
            f.GetProperty("direction").GetString() == "asc", f.GetProperty("null-order").GetString() == "nulls-first"))]);
}
