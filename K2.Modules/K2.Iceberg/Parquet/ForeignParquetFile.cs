using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using K2.Iceberg.Spec;
using static K2.Iceberg.Parquet.ParquetThrift;
using IcebergSchema = K2.Iceberg.Spec.Schema;

namespace K2.Iceberg.Parquet;

/// <summary>
/// Makes a Parquet file written by another engine (ClickHouse's encoder) an Iceberg data file: checks that every column
/// has the name, repetition and physical/logical type the Iceberg schema requires, stamps the Iceberg field id on every
/// schema node (lists and maps included) by rewriting the footer in place — the data pages are not touched — and reads
/// the manifest metrics (value and null counts, bounds) from the footer's column statistics, as PyIceberg does.
/// </summary>
internal static class ForeignParquetFile
{
    private const int TruncateLength = 16;
    private static readonly byte[] Magic = "PAR1"u8.ToArray();

    /// <summary>The manifest description of the file at <paramref name="path"/>, to be stored at <paramref name="uri"/>.</summary>
    public static async Task<DataFile> AdoptAsync(string path, IcebergSchema schema, string uri, int specId, PartitionKey partition, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1 << 12, useAsync: true);
        var tail = new byte[8];
        file.Seek(-8, SeekOrigin.End);
        await file.ReadExactlyAsync(tail, cancellationToken).ConfigureAwait(false);
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (!tail.AsSpan(4).SequenceEqual(Magic) || footerLength <= 0 || footerLength > file.Length - 12)
        {
            throw new InvalidDataException($"{path} is not a Parquet file (no footer)");
        }

        var footerStart = file.Length - 8 - footerLength;
        var footerBytes = new byte[footerLength];
        file.Seek(footerStart, SeekOrigin.Begin);
        await file.ReadExactlyAsync(footerBytes, cancellationToken).ConfigureAwait(false);
        var footer = ThriftStruct.Read(footerBytes);

        StampFieldIds(footer, schema, path);
        var amended = footer.ToBytes();
        file.SetLength(footerStart);
        file.Seek(footerStart, SeekOrigin.Begin);
        await file.WriteAsync(amended, cancellationToken).ConfigureAwait(false);
        BinaryPrimitives.WriteInt32LittleEndian(tail, amended.Length);
        await file.WriteAsync(tail, cancellationToken).ConfigureAwait(false);
        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        return Describe(footer, schema, uri, specId, partition, file.Length);
    }

    /// <summary>Pre-order walk of the footer's schema elements (root first), matched to the Iceberg columns by name.</summary>
    private static void StampFieldIds(ThriftStruct footer, IcebergSchema schema, string path)
    {
        var elements = footer.List<ThriftStruct>(FileMetaData.Schema);
        if (elements.Count == 0) { throw new InvalidDataException($"{path}: the Parquet footer has no schema"); }
        var next = 1;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var child = 0; child < (elements[0].Integer(SchemaElement.NumChildren) ?? 0); child++)
        {
            var element = At(elements, next, path);
            var name = Name(element);
            var index = schema.Fields.Select((f, i) => (f, i)).FirstOrDefault(x => x.f.Name == name);
            if (index.f is null || !seen.Add(name)) { throw new InvalidDataException($"{path}: column '{name}' is not in the table schema (or appears twice)"); }
            var column = index.f;
            CheckRepetition(element, column.Required, column.Name, path);
            element.SetI32(SchemaElement.FieldId, column.Id);
            next++;
            switch (column.Type)
            {
                case PrimitiveType type:
                    CheckPrimitive(element, type, column.Name, path);
                    break;
                case ListType list:
                    Group(elements, next++, 1, column.Name, path);
                    var item = At(elements, next++, path);
                    CheckRepetition(item, list.ElementRequired, $"{column.Name}.element", path);
                    CheckPrimitive(item, list.Element, $"{column.Name}.element", path);
                    item.SetI32(SchemaElement.FieldId, list.ElementId);
                    break;
                case MapType map:
                    Group(elements, next++, 2, column.Name, path);
                    var key = At(elements, next++, path);
                    CheckPrimitive(key, map.Key, $"{column.Name}.key", path);
                    key.SetI32(SchemaElement.FieldId, map.KeyId);
                    var value = At(elements, next++, path);
                    CheckRepetition(value, map.ValueRequired, $"{column.Name}.value", path);
                    CheckPrimitive(value, map.Value, $"{column.Name}.value", path);
                    value.SetI32(SchemaElement.FieldId, map.ValueId);
                    break;
            }
        }

        var missing = schema.Fields.Where(f => !seen.Contains(f.Name)).Select(f => f.Name).ToList();
        if (missing.Count > 0 || next != elements.Count)
        {
            throw new InvalidDataException($"{path}: the Parquet schema does not match the table (missing: {string.Join(", ", missing)}; {elements.Count - next} unexpected nodes)");
        }
    }

    private static ThriftStruct At(IReadOnlyList<ThriftStruct> elements, int index, string path) =>
        index < elements.Count ? elements[index] : throw new InvalidDataException($"{path}: the Parquet schema ends early");

    private static ThriftStruct Group(IReadOnlyList<ThriftStruct> elements, int index, int children, string column, string path)
    {
        var group = At(elements, index, path);
        return group.Integer(SchemaElement.RepetitionType) == Repetition.Repeated && group.Integer(SchemaElement.NumChildren) == children
            ? group
            : throw new InvalidDataException($"{path}: column '{column}' is not a 3-level Parquet list/map");
    }

    private static string Name(ThriftStruct element) => Encoding.UTF8.GetString(element.Binary(SchemaElement.Name) ?? []);

    // A REQUIRED Parquet column satisfies an optional Iceberg field (it only never holds null); the reverse would not.
    private static void CheckRepetition(ThriftStruct element, bool required, string column, string path)
    {
        if (required && element.Integer(SchemaElement.RepetitionType) != Repetition.Required) { throw new InvalidDataException($"{path}: column '{column}' must be REQUIRED in Parquet: the Iceberg field is required"); }
    }

    private static void CheckPrimitive(ThriftStruct element, PrimitiveType type, string column, string path)
    {
        var physical = element.Integer(SchemaElement.Type);
        var logical = element.Struct(SchemaElement.LogicalType);
        var ok = type.Kind switch
        {
            PrimitiveKind.Boolean => physical == PhysicalType.Boolean,
            PrimitiveKind.Int => physical == PhysicalType.Int32 && (logical is null || IsInteger(logical, 32)),
            PrimitiveKind.Long => physical == PhysicalType.Int64 && (logical is null || IsInteger(logical, 64)),
            PrimitiveKind.Float => physical == PhysicalType.Float,
            PrimitiveKind.Double => physical == PhysicalType.Double,
            PrimitiveKind.Date => physical == PhysicalType.Int32 && logical?.Struct(LogicalType.Date) is not null,
            PrimitiveKind.Timestamp or PrimitiveKind.TimestampTz => physical == PhysicalType.Int64 && logical?.Struct(LogicalType.Timestamp) is { } ts
                && ts[TimestampType.IsAdjustedToUtc] is bool utc && utc == (type.Kind == PrimitiveKind.TimestampTz)
                && ts.Struct(TimestampType.Unit)?.Struct(TimeUnit.Micros) is not null,
            PrimitiveKind.String => physical == PhysicalType.ByteArray
                && (logical?.Struct(LogicalType.String) is not null || element.Integer(SchemaElement.ConvertedType) == ConvertedType.Utf8),
            PrimitiveKind.Binary => physical == PhysicalType.ByteArray && logical is null,
            PrimitiveKind.Decimal => physical is PhysicalType.Int32 or PhysicalType.Int64 or PhysicalType.ByteArray or PhysicalType.FixedLenByteArray
                && logical?.Struct(LogicalType.Decimal) is { } d && d.Integer(DecimalType.Scale) == type.Scale && d.Integer(DecimalType.Precision) == type.Precision,
            _ => false,
        };
        if (!ok)
        {
            throw new InvalidDataException($"{path}: column '{column}' has Parquet physical type {physical} / logical type {LogicalName(logical)}, which does not hold Iceberg {type}");
        }
    }

    private static bool IsInteger(ThriftStruct logical, int bits) =>
        logical.Struct(LogicalType.Integer) is { } integer && integer.Integer(IntType.BitWidth) == bits && integer[IntType.IsSigned] is true;

    private static string LogicalName(ThriftStruct? logical) => logical is null ? "none" : $"#{logical.Fields.FirstOrDefault().Id}";

    private static DataFile Describe(ThriftStruct footer, IcebergSchema schema, string uri, int specId, PartitionKey partition, long fileSize)
    {
        var byName = schema.Fields.Where(f => f.Type is PrimitiveType).ToDictionary(f => f.Name, StringComparer.Ordinal);
        var metrics = new Dictionary<int, ColumnStatistics>();
        foreach (var rowGroup in footer.List<ThriftStruct>(FileMetaData.RowGroups))
        {
            foreach (var chunk in rowGroup.List<ThriftStruct>(RowGroup.Columns))
            {
                var meta = chunk.Struct(ColumnChunk.MetaData);
                var columnPath = meta?.List<byte[]>(ColumnMetaData.PathInSchema);
                if (meta is null || columnPath is not { Count: 1 } || !byName.TryGetValue(Encoding.UTF8.GetString(columnPath[0]), out var column)) { continue; }
                if (!metrics.TryGetValue(column.Id, out var statistics)) { metrics[column.Id] = statistics = new ColumnStatistics((PrimitiveType)column.Type, meta.Integer(ColumnMetaData.Type), column.Required); }
                statistics.Add(meta);
            }
        }

        Dictionary<int, long> sizes = [], values = [], nulls = [];
        Dictionary<int, byte[]> lower = [], upper = [];
        foreach (var (id, statistics) in metrics) { statistics.AddTo(id, sizes, values, nulls, lower, upper); }
        return new DataFile(uri, specId, partition, footer.Integer(FileMetaData.NumRows) ?? 0, fileSize, sizes, values, nulls, lower, upper, []);
    }

    /// <summary>
    /// One top-level primitive column's statistics summed over the row groups. A required column has no nulls whether or
    /// not the writer recorded a null count (ClickHouse records none for non-nullable columns).
    /// </summary>
    private sealed class ColumnStatistics(PrimitiveType type, long? physical, bool required)
    {
        private long _size;
        private long _values;
        private long? _nulls = 0;
        private bool _bounded = true;
        private byte[]? _min;
        private byte[]? _max;

        public void Add(ThriftStruct meta)
        {
            var values = meta.Integer(ColumnMetaData.NumValues) ?? 0;
            _size += meta.Integer(ColumnMetaData.TotalCompressedSize) ?? 0;
            _values += values;
            var statistics = meta.Struct(ColumnMetaData.Statistics);
            _nulls = required ? 0 : statistics?.Integer(Statistics.NullCount) is { } n && _nulls is { } sum ? sum + n : null;
            if (statistics?.Integer(Statistics.NullCount) == values) { return; }
            if (statistics?.Binary(Statistics.MinValue) is not { } min || statistics.Binary(Statistics.MaxValue) is not { } max) { _bounded = false; return; }
            if (_min is null || Compare(min, _min) < 0) { _min = min; }
            if (_max is null || Compare(max, _max) > 0) { _max = max; }
        }

        public void AddTo(int id, Dictionary<int, long> sizes, Dictionary<int, long> values, Dictionary<int, long> nulls, Dictionary<int, byte[]> lower, Dictionary<int, byte[]> upper)
        {
            sizes[id] = _size;
            values[id] = _values;
            if (_nulls is { } n) { nulls[id] = n; }
            if (!_bounded || _min is null || _max is null || type.Kind is PrimitiveKind.Binary) { return; }
            if (type.Kind is PrimitiveKind.Float or PrimitiveKind.Double && (IsNaN(_min) || IsNaN(_max))) { return; }
            if (type.Kind == PrimitiveKind.String)
            {
                lower[id] = Encoding.UTF8.GetBytes(Transform.TruncateString(Encoding.UTF8.GetString(_min), TruncateLength));
                if (ColumnMetrics.TruncatedUpper(Encoding.UTF8.GetString(_max)) is { } up) { upper[id] = Encoding.UTF8.GetBytes(up); }
                return;
            }

            lower[id] = Iceberg(_min);
            upper[id] = Iceberg(_max);
        }

        private bool IsNaN(byte[] value) => type.Kind == PrimitiveKind.Float
            ? float.IsNaN(BinaryPrimitives.ReadSingleLittleEndian(value))
            : double.IsNaN(BinaryPrimitives.ReadDoubleLittleEndian(value));

        /// <summary>Parquet plain-encoded statistics are Iceberg's single-value form except for decimals.</summary>
        private byte[] Iceberg(byte[] value) => type.Kind == PrimitiveKind.Decimal ? Unscaled(value).ToByteArray(isUnsigned: false, isBigEndian: true) : value;

        private BigInteger Unscaled(byte[] value) => physical switch
        {
            PhysicalType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(value),
            PhysicalType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(value),
            _ => new BigInteger(value, isUnsigned: false, isBigEndian: true),
        };

        private int Compare(byte[] a, byte[] b) => type.Kind switch
        {
            PrimitiveKind.Boolean => a[0].CompareTo(b[0]),
            PrimitiveKind.Int or PrimitiveKind.Date => BinaryPrimitives.ReadInt32LittleEndian(a).CompareTo(BinaryPrimitives.ReadInt32LittleEndian(b)),
            PrimitiveKind.Long or PrimitiveKind.Timestamp or PrimitiveKind.TimestampTz => BinaryPrimitives.ReadInt64LittleEndian(a).CompareTo(BinaryPrimitives.ReadInt64LittleEndian(b)),
            PrimitiveKind.Float => BinaryPrimitives.ReadSingleLittleEndian(a).CompareTo(BinaryPrimitives.ReadSingleLittleEndian(b)),
            PrimitiveKind.Double => BinaryPrimitives.ReadDoubleLittleEndian(a).CompareTo(BinaryPrimitives.ReadDoubleLittleEndian(b)),
            PrimitiveKind.Decimal => Unscaled(a).CompareTo(Unscaled(b)),
            _ => a.AsSpan().SequenceCompareTo(b),
        };
    }
}
