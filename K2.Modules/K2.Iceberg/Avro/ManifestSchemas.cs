using System.Text.Json.Nodes;
using K2.Iceberg.Spec;

namespace K2.Iceberg.Avro;

/// <summary>
/// The Avro schemas of manifest lists and manifests (format v2). Every field id is declared here once, and
/// the record names are the ones Java writes (readers such as ClickHouse read by name, Java by id).
/// </summary>
internal static class ManifestSchemas
{
    // manifest_file (manifest list rows)
    public const int ManifestPath = 500, ManifestLength = 501, PartitionSpecId = 502, Content = 517, SequenceNumber = 515,
        MinSequenceNumber = 516, AddedSnapshotId = 503, AddedFilesCount = 504, ExistingFilesCount = 505, DeletedFilesCount = 506,
        AddedRowsCount = 512, ExistingRowsCount = 513, DeletedRowsCount = 514, Partitions = 507, PartitionsElement = 508,
        ContainsNull = 509, ContainsNan = 518, LowerBound = 510, UpperBound = 511, KeyMetadata = 519;

    // manifest_entry
    public const int Status = 0, EntrySnapshotId = 1, EntrySequenceNumber = 3, FileSequenceNumber = 4, DataFile = 2;

    // data_file
    public const int FileContent = 134, FilePath = 100, FileFormat = 101, Partition = 102, RecordCount = 103, FileSizeInBytes = 104,
        ColumnSizes = 108, ColumnSizesKey = 117, ColumnSizesValue = 118, ValueCounts = 109, ValueCountsKey = 119, ValueCountsValue = 120,
        NullValueCounts = 110, NullValueCountsKey = 121, NullValueCountsValue = 122, NanValueCounts = 137, NanValueCountsKey = 138,
        NanValueCountsValue = 139, LowerBounds = 125, LowerBoundsKey = 126, LowerBoundsValue = 127, UpperBounds = 128,
        UpperBoundsKey = 129, UpperBoundsValue = 130, FileKeyMetadata = 131, SplitOffsets = 132, SplitOffsetsElement = 133,
        EqualityIds = 135, EqualityIdsElement = 136, SortOrderId = 140, ReferencedDataFile = 143;

    public static string ManifestList() => Record("manifest_file",
        Required("manifest_path", ManifestPath, "string"),
        Required("manifest_length", ManifestLength, "long"),
        Required("partition_spec_id", PartitionSpecId, "int"),
        Required("content", Content, "int"),
        Required("sequence_number", SequenceNumber, "long"),
        Required("min_sequence_number", MinSequenceNumber, "long"),
        Required("added_snapshot_id", AddedSnapshotId, "long"),
        Required("added_files_count", AddedFilesCount, "int"),
        Required("existing_files_count", ExistingFilesCount, "int"),
        Required("deleted_files_count", DeletedFilesCount, "int"),
        Required("added_rows_count", AddedRowsCount, "long"),
        Required("existing_rows_count", ExistingRowsCount, "long"),
        Required("deleted_rows_count", DeletedRowsCount, "long"),
        Optional("partitions", Partitions, new JsonObject
        {
            ["type"] = "array",
            ["element-id"] = PartitionsElement,
            ["items"] = (Record("r508",
                Required("contains_null", ContainsNull, "boolean"),
                Optional("contains_nan", ContainsNan, "boolean"),
                Optional("lower_bound", LowerBound, "bytes"),
                Optional("upper_bound", UpperBound, "bytes"))),
        }),
        Optional("key_metadata", KeyMetadata, "bytes")).ToJsonString();

    public static string ManifestEntry(Schema schema, PartitionSpec spec) => Record("manifest_entry",
        Required("status", Status, "int"),
        Optional("snapshot_id", EntrySnapshotId, "long"),
        Optional("sequence_number", EntrySequenceNumber, "long"),
        Optional("file_sequence_number", FileSequenceNumber, "long"),
        Required("data_file", DataFile, (Record("r2",
            Required("content", FileContent, "int"),
            Required("file_path", FilePath, "string"),
            Required("file_format", FileFormat, "string"),
            Required("partition", Partition, (Record("r102", [.. spec.Fields.Select(f =>
                Optional(f.Name, f.FieldId, AvroType(spec.ResultType(schema, f))))]))),
            Required("record_count", RecordCount, "long"),
            Required("file_size_in_bytes", FileSizeInBytes, "long"),
            Optional("column_sizes", ColumnSizes, IntMap(ColumnSizesKey, ColumnSizesValue, "long")),
            Optional("value_counts", ValueCounts, IntMap(ValueCountsKey, ValueCountsValue, "long")),
            Optional("null_value_counts", NullValueCounts, IntMap(NullValueCountsKey, NullValueCountsValue, "long")),
            Optional("nan_value_counts", NanValueCounts, IntMap(NanValueCountsKey, NanValueCountsValue, "long")),
            Optional("lower_bounds", LowerBounds, IntMap(LowerBoundsKey, LowerBoundsValue, "bytes")),
            Optional("upper_bounds", UpperBounds, IntMap(UpperBoundsKey, UpperBoundsValue, "bytes")),
            Optional("key_metadata", FileKeyMetadata, "bytes"),
            Optional("split_offsets", SplitOffsets, new JsonObject { ["type"] = "array", ["element-id"] = SplitOffsetsElement, ["items"] = "long" }),
            Optional("equality_ids", EqualityIds, new JsonObject { ["type"] = "array", ["element-id"] = EqualityIdsElement, ["items"] = "int" }),
            Optional("sort_order_id", SortOrderId, "int"),
            Optional("referenced_data_file", ReferencedDataFile, "string"))))).ToJsonString();

    /// <summary>The Avro type of a partition value; day values are Avro dates.</summary>
    private static JsonNode AvroType(PrimitiveType type) => type.Kind switch
    {
        PrimitiveKind.Boolean => "boolean",
        PrimitiveKind.Int => "int",
        PrimitiveKind.Long => "long",
        PrimitiveKind.Float => "float",
        PrimitiveKind.Double => "double",
        PrimitiveKind.String => "string",
        PrimitiveKind.Binary => "bytes",
        PrimitiveKind.Date => new JsonObject { ["type"] = "int", ["logicalType"] = "date" },
        _ => throw new NotSupportedException($"partition values of type {type} are not supported (use a day/hour/month/bucket/truncate transform)"),
    };

    private static JsonObject IntMap(int keyId, int valueId, string valueType) => new()
    {
        ["type"] = "array",
        ["logicalType"] = "map",
        ["items"] = new JsonObject
        {
            ["type"] = "record",
            ["name"] = $"k{keyId}_v{valueId}",
            ["fields"] = new JsonArray(
                new JsonObject { ["name"] = "key", ["type"] = "int", ["field-id"] = keyId },
                new JsonObject { ["name"] = "value", ["type"] = valueType, ["field-id"] = valueId }),
        },
    };

    private static JsonObject Required(string name, int id, JsonNode type) => new() { ["name"] = name, ["type"] = type, ["field-id"] = id };

    private static JsonObject Optional(string name, int id, JsonNode type) => new()
    {
        ["name"] = name, ["type"] = new JsonArray("null", type), ["default"] = null, ["field-id"] = id,
    };

    private static JsonObject Record(string name, params JsonObject[] fields) =>
        new() { ["type"] = "record", ["name"] = name, ["fields"] = new JsonArray([.. fields]) };
}
