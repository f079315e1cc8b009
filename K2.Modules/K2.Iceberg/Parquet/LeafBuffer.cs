using K2.Iceberg.Spec;
using Parquet;
using Parquet.Data;

namespace K2.Iceberg.Parquet;

/// <summary>One leaf column of the open row group: its non-null values and Dremel definition/repetition levels.</summary>
internal abstract class LeafBuffer(Leaf leaf)
{
    private readonly List<int> _definitions = [];
    private readonly List<int> _repetitions = [];

    public Leaf Leaf { get; } = leaf;

    public int MaxDefinition { get; } = leaf.Field.MaxDefinitionLevel;

    public int MaxRepetition { get; } = leaf.Field.MaxRepetitionLevel;

    public static LeafBuffer For(Leaf leaf) => leaf.Type.Kind switch
    {
        PrimitiveKind.Boolean => new Typed<bool>(leaf, v => (bool)v),
        PrimitiveKind.Int => new Typed<int>(leaf, v => (int)v),
        PrimitiveKind.Long => new Typed<long>(leaf, v => (long)v),
        PrimitiveKind.Float => new Typed<float>(leaf, v => (float)v),
        PrimitiveKind.Double => new Typed<double>(leaf, v => (double)v),
        PrimitiveKind.Decimal => new Typed<BigDecimal>(leaf, v => new BigDecimal(SingleValue.ToDecimal(leaf.Type, v).Unscaled, leaf.Type.Precision, leaf.Type.Scale)),
        PrimitiveKind.Date => new Typed<DateOnly>(leaf, v => (DateOnly)v),
        PrimitiveKind.Timestamp or PrimitiveKind.TimestampTz => new Typed<DateTime>(leaf, v => v is long micros ? SingleValue.FromMicros(micros) : (DateTime)v),
        PrimitiveKind.String => new Typed<ReadOnlyMemory<char>>(leaf, v => ((string)v).AsMemory()),
        PrimitiveKind.Binary => new Typed<ReadOnlyMemory<byte>>(leaf, v => (byte[])v),
        _ => throw new NotSupportedException(leaf.Type.ToString()),
    };

    public void Add(object? value, int definition, int repetition)
    {
        if (MaxDefinition > 0) { _definitions.Add(definition); }
        if (MaxRepetition > 0) { _repetitions.Add(repetition); }
        if (definition == MaxDefinition) { AddValue(value!); }
    }

    public Task WriteAsync(ParquetRowGroupWriter rowGroup, CancellationToken cancellationToken) => WriteValuesAsync(rowGroup,
        MaxDefinition > 0 ? _definitions.ToArray() : null, MaxRepetition > 0 ? _repetitions.ToArray() : null, cancellationToken);

    public void Clear()
    {
        _definitions.Clear();
        _repetitions.Clear();
        ClearValues();
    }

    protected abstract void AddValue(object value);

    protected abstract void ClearValues();

    protected abstract Task WriteValuesAsync(ParquetRowGroupWriter rowGroup, int[]? definitions, int[]? repetitions, CancellationToken cancellationToken);

    // Spelled out: a conditional "x is null ? null : new ReadOnlyMemory<int>(x)" converts null to an empty memory
    // (via the array conversion), which Parquet.Net reads as "zero levels".
    private static ReadOnlyMemory<int>? Levels(int[]? levels) => levels is null ? default(ReadOnlyMemory<int>?) : levels;

    private sealed class Typed<T>(Leaf leaf, Func<object, T> convert) : LeafBuffer(leaf) where T : struct
    {
        private readonly List<T> _values = [];

        protected override void AddValue(object value) => _values.Add(convert(value));

        protected override void ClearValues() => _values.Clear();

        protected override async Task WriteValuesAsync(ParquetRowGroupWriter rowGroup, int[]? definitions, int[]? repetitions, CancellationToken cancellationToken) =>
            await rowGroup.WriteAllPartsAsync<T>(Leaf.Field, _values.ToArray(),
                Levels(definitions), Levels(repetitions), cancellationToken).ConfigureAwait(false);
    }
}
