using System.Reflection;
using K2.Iceberg.Spec;
using Parquet;
using Parquet.Schema;
using IcebergSchema = K2.Iceberg.Spec.Schema;

namespace K2.Iceberg.Parquet;

internal enum LeafRole { Value, ListElement, MapKey, MapValue }

/// <summary>A Parquet leaf column of an Iceberg column: the value itself, a list element, or a map key or value.</summary>
internal sealed record Leaf(int ColumnIndex, NestedField Column, LeafRole Role, PrimitiveType Type, bool Required, DataField Field);

/// <summary>
/// The Parquet schema of an Iceberg schema: same names, REQUIRED/OPTIONAL as the Iceberg fields, 3-level lists and maps,
/// timestamps as INT64 micros, decimals as DECIMAL(P,S) and a field id on every node, nested ones included.
/// </summary>
internal sealed class ParquetLayout
{
    private static readonly FieldInfo FooterField = typeof(ParquetWriter).GetField("_footer", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new InvalidOperationException("Parquet.Net changed: ParquetWriter._footer not found; field ids cannot be written on nested columns");

    private readonly List<int?> _preOrderIds = [];

    public ParquetLayout(IcebergSchema schema)
    {
        var fields = new List<Field>();
        var leaves = new List<Leaf>();
        for (var i = 0; i < schema.Fields.Count; i++)
        {
            var column = schema.Fields[i];
            _preOrderIds.Add(column.Id);
            switch (column.Type)
            {
                case PrimitiveType p:
                    var field = Primitive(column.Name, p, !column.Required);
                    fields.Add(field);
                    leaves.Add(new Leaf(i, column, LeafRole.Value, p, column.Required, field));
                    break;
                case ListType l:
                    var element = Primitive(ListField.ElementName, l.Element, !l.ElementRequired);
                    fields.Add(new ListField(column.Name, OptionalGroup(column, element)));
                    _preOrderIds.Add(null);
                    _preOrderIds.Add(l.ElementId);
                    leaves.Add(new Leaf(i, column, LeafRole.ListElement, l.Element, l.ElementRequired, element));
                    break;
                case MapType m:
                    var key = Primitive("key", m.Key, nullable: false);
                    var value = Primitive("value", m.Value, !m.ValueRequired);
                    fields.Add(new MapField(column.Name, OptionalGroup(column, key), value));
                    _preOrderIds.Add(null);
                    _preOrderIds.Add(m.KeyId);
                    _preOrderIds.Add(m.ValueId);
                    leaves.Add(new Leaf(i, column, LeafRole.MapKey, m.Key, true, key));
                    leaves.Add(new Leaf(i, column, LeafRole.MapValue, m.Value, m.ValueRequired, value));
                    break;
            }
        }

        Schema = new ParquetSchema(fields);
        Leaves = leaves;
    }

    public ParquetSchema Schema { get; }

    /// <summary>
    /// Decimals travel as Parquet.Net's <see cref="global::Parquet.Data.BigDecimal"/> (unscaled integer) both ways, so
    /// decimal(38, s) values beyond <see cref="decimal"/>'s 28–29 digits are written and read exactly.
    /// </summary>
    public static ParquetOptions Options => new()
    {
        CompressionMethod = CompressionMethod.Zstd,
        CompressionLevel = System.IO.Compression.CompressionLevel.Fastest,
        UseBigDecimal = true,
    };

    public IReadOnlyList<Leaf> Leaves { get; }

    /// <summary>
    /// Parquet.Net only exposes field ids on leaf fields; the footer's schema elements (public Thrift types) take them
    /// for groups too, so they are set there before the footer is written.
    /// </summary>
    public void StampFieldIds(ParquetWriter writer)
    {
        var elements = FileMetaData(writer).Schema;
        if (elements.Count != _preOrderIds.Count + 1)
        {
            throw new InvalidOperationException($"Parquet schema has {elements.Count - 1} nodes, expected {_preOrderIds.Count}");
        }

        for (var i = 0; i < _preOrderIds.Count; i++) { elements[i + 1].FieldId = _preOrderIds[i]; }
    }

    /// <summary>
    /// Removes Parquet.Net's row-group statistics and column indexes before the footer is written: for timestamps and
    /// fixed-length decimals they do not cover the data, and readers that trust them (ClickHouse's filter push-down)
    /// silently skip matching rows. File-level pruning uses the Iceberg bounds in the manifests instead.
    /// </summary>
    public static void StripStatistics(ParquetWriter writer)
    {
        foreach (var column in FileMetaData(writer).RowGroups.SelectMany(g => g.Columns))
        {
            if (column.MetaData is not null) { column.MetaData.Statistics = null; }
            column.ColumnIndexOffset = null;
            column.ColumnIndexLength = null;
        }
    }

    private static global::Parquet.Meta.FileMetaData FileMetaData(ParquetWriter writer)
    {
        var footer = FooterField.GetValue(writer) ?? throw new InvalidOperationException("Parquet.Net changed: no footer on the writer");
        var metaField = footer.GetType().GetField("_fileMeta", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new InvalidOperationException("Parquet.Net changed: ThriftFooter._fileMeta not found");
        return (global::Parquet.Meta.FileMetaData)metaField.GetValue(footer)!;
    }

    /// <summary>Parquet.Net writes list and map groups as OPTIONAL only, so such Iceberg columns must be optional.</summary>
    private static T OptionalGroup<T>(NestedField column, T first) => column.Required
        ? throw new NotSupportedException($"list/map column '{column.Name}' must be optional (required nested columns are not supported)")
        : first;

    private static DataField Primitive(string name, PrimitiveType type, bool nullable) => type.Kind switch
    {
        PrimitiveKind.Boolean => new DataField<bool>(name, nullable),
        PrimitiveKind.Int => new DataField<int>(name, nullable),
        PrimitiveKind.Long => new DataField<long>(name, nullable),
        PrimitiveKind.Float => new DataField<float>(name, nullable),
        PrimitiveKind.Double => new DataField<double>(name, nullable),
        PrimitiveKind.Decimal => new BigDecimalDataField(name, type.Precision, type.Scale, isNullable: nullable),
        PrimitiveKind.Date => new DataField<DateOnly>(name, nullable),
        PrimitiveKind.Timestamp or PrimitiveKind.TimestampTz => new DateTimeDataField(name, DateTimeFormat.Timestamp,
            isAdjustedToUTC: type.Kind == PrimitiveKind.TimestampTz, unit: DateTimeTimeUnit.Micros, isNullable: nullable),
        PrimitiveKind.String => new DataField<string>(name, nullable),
        PrimitiveKind.Binary => new DataField<byte[]>(name, nullable),
        _ => throw new NotSupportedException(type.ToString()),
    };
}
