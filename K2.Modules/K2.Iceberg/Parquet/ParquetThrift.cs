namespace K2.Iceberg.Parquet;

/// <summary>
/// The Thrift field ids and enum values of the Parquet footer that K2 reads and amends, declared once, as
/// <c>parquet.thrift</c> of apache/parquet-format numbers them (https://github.com/apache/parquet-format/blob/master/src/main/thrift/parquet.thrift).
/// </summary>
internal static class ParquetThrift
{
    /// <summary><c>FileMetaData</c>, the footer.</summary>
    public static class FileMetaData
    {
        public const short Schema = 2, NumRows = 3, RowGroups = 4;
    }

    /// <summary><c>SchemaElement</c>: one node of the flattened schema, root first.</summary>
    public static class SchemaElement
    {
        public const short Type = 1, RepetitionType = 3, Name = 4, NumChildren = 5, ConvertedType = 6, FieldId = 9, LogicalType = 10;
    }

    /// <summary><c>FieldRepetitionType</c>.</summary>
    public static class Repetition
    {
        public const long Required = 0, Optional = 1, Repeated = 2;
    }

    /// <summary><c>Type</c>, the physical types.</summary>
    public static class PhysicalType
    {
        public const long Boolean = 0, Int32 = 1, Int64 = 2, Float = 4, Double = 5, ByteArray = 6, FixedLenByteArray = 7;
    }

    /// <summary><c>ConvertedType</c>, the legacy annotations.</summary>
    public static class ConvertedType
    {
        public const long Utf8 = 0;
    }

    /// <summary><c>LogicalType</c>, a union: the member present names the annotation.</summary>
    public static class LogicalType
    {
        public const short String = 1, Decimal = 5, Date = 6, Timestamp = 8, Integer = 10;
    }

    /// <summary><c>DecimalType</c>.</summary>
    public static class DecimalType
    {
        public const short Scale = 1, Precision = 2;
    }

    /// <summary><c>TimestampType</c>.</summary>
    public static class TimestampType
    {
        public const short IsAdjustedToUtc = 1, Unit = 2;
    }

    /// <summary><c>TimeUnit</c>, a union.</summary>
    public static class TimeUnit
    {
        public const short Micros = 2;
    }

    /// <summary><c>IntType</c>.</summary>
    public static class IntType
    {
        public const short BitWidth = 1, IsSigned = 2;
    }

    /// <summary><c>RowGroup</c>.</summary>
    public static class RowGroup
    {
        public const short Columns = 1;
    }

    /// <summary><c>ColumnChunk</c>.</summary>
    public static class ColumnChunk
    {
        public const short MetaData = 3;
    }

    /// <summary><c>ColumnMetaData</c>.</summary>
    public static class ColumnMetaData
    {
        public const short Type = 1, PathInSchema = 3, NumValues = 5, TotalCompressedSize = 7, Statistics = 12;
    }

    /// <summary><c>Statistics</c>: <c>max_value</c>/<c>min_value</c> are the ones ordered by the column's sort order.</summary>
    public static class Statistics
    {
        public const short NullCount = 3, MaxValue = 5, MinValue = 6;
    }
}
