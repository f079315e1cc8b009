using System.Globalization;
using Avro;
using Avro.File;
using Avro.Generic;
using K2.Iceberg.Serialization;
using K2.Iceberg.Spec;
using Schema = K2.Iceberg.Spec.Schema;

namespace K2.Iceberg.Avro;

/// <summary>Writes and reads manifests (data content, one partition spec each).</summary>
internal static class ManifestEntriesFile
{
    private static readonly int EpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    public static byte[] Write(Schema schema, PartitionSpec spec, IReadOnlyList<ManifestEntry> entries)
    {
        MapLogicalType.EnsureRegistered();
        var entrySchema = (RecordSchema)global::Avro.Schema.Parse(ManifestSchemas.ManifestEntry(schema, spec));
        var fileSchema = (RecordSchema)entrySchema["data_file"].Schema;
        var partitionSchema = (RecordSchema)fileSchema["partition"].Schema;
        using var buffer = new MemoryStream();
        using (var writer = DataFileWriter<GenericRecord>.OpenWriter(new GenericDatumWriter<GenericRecord>(entrySchema), buffer, Codec.CreateCodec(Codec.Type.Deflate)))
        {
            writer.SetMeta("schema", SchemaJson.SchemaText(schema));
            writer.SetMeta("schema-id", schema.SchemaId.ToString(CultureInfo.InvariantCulture));
            writer.SetMeta("partition-spec", SchemaJson.PartitionFieldsText(spec));
            writer.SetMeta("partition-spec-id", spec.SpecId.ToString(CultureInfo.InvariantCulture));
            writer.SetMeta("format-version", "2");
            writer.SetMeta("content", "data");
            foreach (var e in entries)
            {
                var f = e.File;
                var partition = new GenericRecord(partitionSchema);
                for (var i = 0; i < spec.Fields.Count; i++)
                {
                    partition.Add(spec.Fields[i].Name, ToAvro(spec.ResultType(schema, spec.Fields[i]), f.Partition.Values[i]));
                }

                var file = new GenericRecord(fileSchema);
                file.Add("content", 0);
                file.Add("file_path", f.Path);
                file.Add("file_format", "PARQUET");
                file.Add("partition", partition);
                file.Add("record_count", f.RecordCount);
                file.Add("file_size_in_bytes", f.FileSizeInBytes);
                file.Add("column_sizes", Map(fileSchema, "column_sizes", f.ColumnSizes));
                file.Add("value_counts", Map(fileSchema, "value_counts", f.ValueCounts));
                file.Add("null_value_counts", Map(fileSchema, "null_value_counts", f.NullValueCounts));
                file.Add("nan_value_counts", null);
                file.Add("lower_bounds", Map(fileSchema, "lower_bounds", f.LowerBounds));
                file.Add("upper_bounds", Map(fileSchema, "upper_bounds", f.UpperBounds));
                file.Add("key_metadata", null);
                file.Add("split_offsets", f.SplitOffsets.Count == 0 ? null : f.SplitOffsets.Cast<object>().ToArray());
                file.Add("equality_ids", null);
                file.Add("sort_order_id", f.SortOrderId);
                file.Add("referenced_data_file", null);

                var entry = new GenericRecord(entrySchema);
                entry.Add("status", (int)e.Status);
                entry.Add("snapshot_id", e.SnapshotId);
                entry.Add("sequence_number", e.SequenceNumber);
                entry.Add("file_sequence_number", e.FileSequenceNumber);
                entry.Add("data_file", file);
                writer.Append(entry);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Reads a manifest. Null sequence numbers of ADDED entries are resolved from the manifest-list row
    /// (inheritance), so callers always see explicit numbers.
    /// </summary>
    public static List<ManifestEntry> Read(byte[] bytes, TableMetadata table, ManifestFile manifest)
    {
        MapLogicalType.EnsureRegistered();
        var spec = table.SpecById(manifest.SpecId);
        using var reader = DataFileReader<GenericRecord>.OpenReader(new MemoryStream(bytes));
        var schemaId = int.Parse(reader.GetMetaString("schema-id"), CultureInfo.InvariantCulture);
        var schema = table.SchemaById(schemaId);
        var result = new List<ManifestEntry>();
        foreach (var e in reader.NextEntries)
        {
            var f = (GenericRecord)e["data_file"];
            var partition = (GenericRecord)f["partition"];
            var key = spec.IsUnpartitioned ? PartitionKey.Empty
                : new PartitionKey([.. spec.Fields.Select(p => FromAvro(spec.ResultType(schema, p), partition[p.Name]))]);
            var status = (EntryStatus)(int)e["status"];
            var inherited = status == EntryStatus.Added;
            var file = new DataFile((string)f["file_path"], manifest.SpecId, key, (long)f["record_count"], (long)f["file_size_in_bytes"],
                ReadMap<long>(f["column_sizes"]), ReadMap<long>(f["value_counts"]), ReadMap<long>(f["null_value_counts"]),
                ReadMap<byte[]>(f["lower_bounds"]), ReadMap<byte[]>(f["upper_bounds"]),
                f["split_offsets"] is object[] offsets ? [.. offsets.Cast<long>()] : [], (int?)f["sort_order_id"]);
            result.Add(new ManifestEntry(status,
                (long?)e["snapshot_id"] ?? (inherited ? manifest.AddedSnapshotId : null),
                (long?)e["sequence_number"] ?? (inherited ? manifest.SequenceNumber : null),
                (long?)e["file_sequence_number"] ?? (inherited ? manifest.SequenceNumber : null),
                file));
        }

        return result;
    }

    private static object[]? Map<T>(RecordSchema fileSchema, string name, IReadOnlyDictionary<int, T> values)
    {
        if (values.Count == 0) { return null; }
        var itemSchema = (RecordSchema)((ArraySchema)ManifestListFile.NonNull(fileSchema[name].Schema)).ItemSchema;
        return [.. values.OrderBy(p => p.Key).Select(p =>
        {
            var kv = new GenericRecord(itemSchema);
            kv.Add("key", p.Key);
            kv.Add("value", p.Value);
            return (object)kv;
        })];
    }

    private static Dictionary<int, T> ReadMap<T>(object? value) =>
        value is object[] items ? items.Cast<GenericRecord>().ToDictionary(kv => (int)kv["key"], kv => (T)kv["value"]) : [];

    private static object? ToAvro(PrimitiveType type, object? value) => value switch
    {
        null => null,
        int days when type.Kind == PrimitiveKind.Date => DateTime.UnixEpoch.AddDays(days),
        DateOnly d => d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
        _ => value,
    };

    private static object? FromAvro(PrimitiveType type, object? value) => value switch
    {
        DateTime dt when type.Kind == PrimitiveKind.Date => DateOnly.FromDateTime(dt).DayNumber - EpochDay,
        _ => value,
    };
}
