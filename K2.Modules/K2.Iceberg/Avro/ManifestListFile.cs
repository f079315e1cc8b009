using Avro;
using Avro.File;
using Avro.Generic;
using K2.Iceberg.Spec;

namespace K2.Iceberg.Avro;

/// <summary>Writes and reads manifest lists (one per snapshot).</summary>
internal static class ManifestListFile
{
    private static readonly Lazy<RecordSchema> Schema = new(() =>
    {
        MapLogicalType.EnsureRegistered();
        return (RecordSchema)global::Avro.Schema.Parse(ManifestSchemas.ManifestList());
    });

    public static byte[] Write(IReadOnlyList<ManifestFile> manifests, long snapshotId, long? parentSnapshotId, long sequenceNumber)
    {
        var schema = Schema.Value;
        var summarySchema = (RecordSchema)((ArraySchema)NonNull(schema["partitions"].Schema)).ItemSchema;
        using var buffer = new MemoryStream();
        using (var writer = DataFileWriter<GenericRecord>.OpenWriter(new GenericDatumWriter<GenericRecord>(schema), buffer, Codec.CreateCodec(Codec.Type.Deflate)))
        {
            writer.SetMeta("snapshot-id", snapshotId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.SetMeta("parent-snapshot-id", parentSnapshotId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null");
            writer.SetMeta("sequence-number", sequenceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.SetMeta("format-version", "2");
            foreach (var m in manifests)
            {
                var record = new GenericRecord(schema);
                record.Add("manifest_path", m.Path);
                record.Add("manifest_length", m.Length);
                record.Add("partition_spec_id", m.SpecId);
                record.Add("content", 0);
                record.Add("sequence_number", m.SequenceNumber);
                record.Add("min_sequence_number", m.MinSequenceNumber);
                record.Add("added_snapshot_id", m.AddedSnapshotId);
                record.Add("added_files_count", m.AddedFilesCount);
                record.Add("existing_files_count", m.ExistingFilesCount);
                record.Add("deleted_files_count", m.DeletedFilesCount);
                record.Add("added_rows_count", m.AddedRowsCount);
                record.Add("existing_rows_count", m.ExistingRowsCount);
                record.Add("deleted_rows_count", m.DeletedRowsCount);
                record.Add("partitions", m.Partitions.Select(p =>
                {
                    var s = new GenericRecord(summarySchema);
                    s.Add("contains_null", p.ContainsNull);
                    s.Add("contains_nan", null);
                    s.Add("lower_bound", p.LowerBound);
                    s.Add("upper_bound", p.UpperBound);
                    return (object)s;
                }).ToArray());
                record.Add("key_metadata", null);
                writer.Append(record);
            }
        }

        return buffer.ToArray();
    }

    public static List<ManifestFile> Read(byte[] bytes)
    {
        using var reader = DataFileReader<GenericRecord>.OpenReader(new MemoryStream(bytes), Schema.Value);
        var result = new List<ManifestFile>();
        foreach (var r in reader.NextEntries)
        {
            var partitions = r["partitions"] is object[] items
                ? items.Cast<GenericRecord>().Select(s => new FieldSummary((bool)s["contains_null"], (byte[]?)s["lower_bound"], (byte[]?)s["upper_bound"])).ToList()
                : [];
            result.Add(new ManifestFile((string)r["manifest_path"], (long)r["manifest_length"], (int)r["partition_spec_id"],
                (long)r["sequence_number"], (long)r["min_sequence_number"], (long)r["added_snapshot_id"],
                (int)r["added_files_count"], (int)r["existing_files_count"], (int)r["deleted_files_count"],
                (long)r["added_rows_count"], (long)r["existing_rows_count"], (long)r["deleted_rows_count"], partitions));
        }

        return result;
    }

    internal static global::Avro.Schema NonNull(global::Avro.Schema schema) =>
        schema is UnionSchema union ? union.Schemas.First(s => s.Tag != global::Avro.Schema.Type.Null) : schema;
}
