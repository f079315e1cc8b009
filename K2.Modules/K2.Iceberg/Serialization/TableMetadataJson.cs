using System.Text;
using System.Text.Json;
using K2.Iceberg.Spec;

namespace K2.Iceberg.Serialization;

/// <summary>Reads and writes table metadata JSON, format version 2 only.</summary>
internal static class TableMetadataJson
{
    public static byte[] Write(TableMetadata m)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("format-version", TableMetadata.FormatVersion);
            w.WriteString("table-uuid", m.TableUuid.ToString());
            w.WriteString("location", m.Location);
            w.WriteNumber("last-sequence-number", m.LastSequenceNumber);
            w.WriteNumber("last-updated-ms", m.LastUpdatedMs);
            w.WriteNumber("last-column-id", m.LastColumnId);
            w.WriteNumber("current-schema-id", m.CurrentSchemaId);
            w.WriteStartArray("schemas");
            foreach (var s in m.Schemas) { SchemaJson.WriteSchema(w, s); }
            w.WriteEndArray();
            w.WriteNumber("default-spec-id", m.DefaultSpecId);
            w.WriteStartArray("partition-specs");
            foreach (var spec in m.PartitionSpecs)
            {
                w.WriteStartObject();
                w.WriteNumber("spec-id", spec.SpecId);
                w.WritePropertyName("fields");
                SchemaJson.WritePartitionFields(w, spec);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("last-partition-id", m.LastPartitionId);
            w.WriteNumber("default-sort-order-id", m.DefaultSortOrderId);
            w.WriteStartArray("sort-orders");
            foreach (var o in m.SortOrders) { SchemaJson.WriteSortOrder(w, o); }
            w.WriteEndArray();
            w.WriteStartObject("properties");
            foreach (var (k, v) in m.Properties.OrderBy(p => p.Key, StringComparer.Ordinal)) { w.WriteString(k, v); }
            w.WriteEndObject();
            w.WriteNumber("current-snapshot-id", m.CurrentSnapshotId ?? -1);
            w.WriteStartObject("refs");
            if (m.CurrentSnapshotId is { } current)
            {
                w.WriteStartObject("main");
                w.WriteNumber("snapshot-id", current);
                w.WriteString("type", "branch");
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteStartArray("snapshots");
            foreach (var s in m.Snapshots) { WriteSnapshot(w, s); }
            w.WriteEndArray();
            w.WriteStartArray("snapshot-log");
            foreach (var e in m.SnapshotLog)
            {
                w.WriteStartObject();
                w.WriteNumber("timestamp-ms", e.TimestampMs);
                w.WriteNumber("snapshot-id", e.SnapshotId);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("metadata-log");
            foreach (var e in m.MetadataLog)
            {
                w.WriteStartObject();
                w.WriteNumber("timestamp-ms", e.TimestampMs);
                w.WriteString("metadata-file", e.MetadataFile);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteSnapshot(Utf8JsonWriter w, Snapshot s)
    {
        w.WriteStartObject();
        w.WriteNumber("snapshot-id", s.SnapshotId);
        if (s.ParentSnapshotId is { } parent) { w.WriteNumber("parent-snapshot-id", parent); }
        w.WriteNumber("sequence-number", s.SequenceNumber);
        w.WriteNumber("timestamp-ms", s.TimestampMs);
        w.WriteString("manifest-list", s.ManifestList);
        w.WriteStartObject("summary");
        w.WriteString("operation", s.Operation);
        foreach (var (k, v) in s.Summary.Where(p => p.Key != "operation").OrderBy(p => p.Key, StringComparer.Ordinal)) { w.WriteString(k, v); }
        w.WriteEndObject();
        w.WriteNumber("schema-id", s.SchemaId);
        w.WriteEndObject();
    }

    public static TableMetadata Read(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var r = document.RootElement;
        var version = r.GetProperty("format-version").GetInt32();
        if (version != TableMetadata.FormatVersion) { throw new NotSupportedException($"table metadata format-version {version}: only 2 is supported"); }
        var current = r.TryGetProperty("current-snapshot-id", out var cs) && cs.ValueKind == JsonValueKind.Number && cs.GetInt64() != -1 ? cs.GetInt64() : (long?)null;
        return new TableMetadata(
            Guid.Parse(r.GetProperty("table-uuid").GetString()!),
            r.GetProperty("location").GetString()!,
            r.GetProperty("last-sequence-number").GetInt64(),
            r.GetProperty("last-updated-ms").GetInt64(),
            r.GetProperty("last-column-id").GetInt32(),
            [.. r.GetProperty("schemas").EnumerateArray().Select(SchemaJson.ReadSchema)],
            r.GetProperty("current-schema-id").GetInt32(),
            [.. r.GetProperty("partition-specs").EnumerateArray().Select(SchemaJson.ReadSpec)],
            r.GetProperty("default-spec-id").GetInt32(),
            r.GetProperty("last-partition-id").GetInt32(),
            [.. r.GetProperty("sort-orders").EnumerateArray().Select(SchemaJson.ReadSortOrder)],
            r.GetProperty("default-sort-order-id").GetInt32(),
            r.TryGetProperty("properties", out var props) ? props.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!) : new Dictionary<string, string>(),
            current,
            r.TryGetProperty("snapshots", out var snaps) ? [.. snaps.EnumerateArray().Select(ReadSnapshot)] : [],
            r.TryGetProperty("snapshot-log", out var slog) ? [.. slog.EnumerateArray().Select(e => new SnapshotLogEntry(e.GetProperty("timestamp-ms").GetInt64(), e.GetProperty("snapshot-id").GetInt64()))] : [],
            r.TryGetProperty("metadata-log", out var mlog) ? [.. mlog.EnumerateArray().Select(e => new MetadataLogEntry(e.GetProperty("timestamp-ms").GetInt64(), e.GetProperty("metadata-file").GetString()!))] : []);
    }

    private static Snapshot ReadSnapshot(JsonElement e) => new(
        e.GetProperty("snapshot-id").GetInt64(),
        e.TryGetProperty("parent-snapshot-id", out var p) ? p.GetInt64() : null,
        e.TryGetProperty("sequence-number", out var seq) ? seq.GetInt64() : 0,
        e.GetProperty("timestamp-ms").GetInt64(),
        e.GetProperty("manifest-list").GetString()!,
        e.GetProperty("summary").EnumerateObject().ToDictionary(x => x.Name, x => x.Value.GetString()!),
        e.GetProperty("schema-id").GetInt32());

    public static string Text(TableMetadata m) => Encoding.UTF8.GetString(Write(m));
}
