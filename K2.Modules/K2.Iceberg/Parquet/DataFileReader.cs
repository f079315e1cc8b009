using K2.Iceberg.Spec;
using Parquet;
using Parquet.Schema;
using IcebergSchema = K2.Iceberg.Spec.Schema;

namespace K2.Iceberg.Parquet;

/// <summary>
/// Reads a data file back into rows of <paramref name="schema"/> (columns the file lacks, added later, read as null).
/// Lists come back as <c>List&lt;object?&gt;</c>, maps as <c>Dictionary&lt;object, object?&gt;</c>.
/// </summary>
internal static class DataFileReader
{
    public static async IAsyncEnumerable<object?[]> ReadAsync(string localPath, IcebergSchema schema, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var layout = new ParquetLayout(schema);
        await using var reader = await ParquetReader.CreateAsync(localPath, ParquetLayout.Options, cancellationToken: cancellationToken).ConfigureAwait(false);
        var fileFields = reader.Schema.GetDataFields();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var rowGroup = reader.OpenRowGroupReader(g);
            var rows = new object?[rowGroup.RowCount][];
            for (var r = 0; r < rows.Length; r++) { rows[r] = new object?[schema.Fields.Count]; }
            foreach (var group in layout.Leaves.GroupBy(l => l.ColumnIndex))
            {
                var leaves = group.ToList();
                var columns = new List<LeafColumn>();
                foreach (var leaf in leaves)
                {
                    var field = fileFields.FirstOrDefault(f => f.Path.ToString() == leaf.Field.Path.ToString());
                    if (field is null) { break; }
                    columns.Add(await LeafColumn.ReadAsync(rowGroup, field, leaf, cancellationToken).ConfigureAwait(false));
                }

                if (columns.Count != leaves.Count) { continue; }
                Assemble(rows, group.Key, columns);
            }

            foreach (var row in rows) { yield return row; }
        }
    }

    private static void Assemble(object?[][] rows, int columnIndex, List<LeafColumn> columns)
    {
        var leaf = columns[0].Leaf;
        var optional = leaf.Column.Required ? 0 : 1;
        if (leaf.Role == LeafRole.Value)
        {
            var c = columns[0];
            for (var r = 0; r < rows.Length; r++) { rows[r][columnIndex] = c.Next(c.Definition(r) == c.MaxDefinition); }
            return;
        }

        var keys = columns[0];
        var values = columns.Count > 1 ? columns[1] : null;
        var row = -1;
        for (var i = 0; i < keys.LevelCount; i++)
        {
            var definition = keys.Definition(i);
            if (keys.Repetition(i) == 0)
            {
                row++;
                rows[row][columnIndex] = definition < optional ? null : leaf.Role == LeafRole.ListElement ? new List<object?>() : new Dictionary<object, object?>();
            }

            if (definition <= optional) { continue; }
            var item = keys.Next(definition == keys.MaxDefinition);
            if (values is null) { ((List<object?>)rows[row][columnIndex]!).Add(item); }
            else { ((Dictionary<object, object?>)rows[row][columnIndex]!)[item!] = values.Next(values.Definition(i) == values.MaxDefinition); }
        }
    }

    private sealed class LeafColumn(Leaf leaf, object?[] values, int[]? definitions, int[]? repetitions, int maxDefinition)
    {
        private int _next;

        public Leaf Leaf { get; } = leaf;

        public int MaxDefinition { get; } = maxDefinition;

        public int LevelCount => definitions?.Length ?? values.Length;

        public int Definition(int i) => definitions?[i] ?? MaxDefinition;

        public int Repetition(int i) => repetitions?[i] ?? 0;

        public object? Next(bool present) => present ? values[_next++] : null;

        public static async Task<LeafColumn> ReadAsync(ParquetRowGroupReader rowGroup, DataField field, Leaf leaf, CancellationToken cancellationToken)
        {
            using var raw = await rowGroup.ReadRawColumnDataBaseAsync(field, cancellationToken).ConfigureAwait(false);
            var values = RawValues(raw, leaf.Type);
            var definitions = field.MaxDefinitionLevel > 0 ? raw.DefinitionLevels.ToArray() : null;
            var repetitions = field.MaxRepetitionLevel > 0 ? raw.RepetitionLevels.ToArray() : null;
            return new LeafColumn(leaf, values, definitions, repetitions, field.MaxDefinitionLevel);
        }

        private static object?[] RawValues(global::Parquet.Data.RawColumnData raw, PrimitiveType type) => raw switch
        {
            global::Parquet.Data.RawColumnData<ReadOnlyMemory<char>> s => [.. s.Values.ToArray().Select(v => (object?)v.ToString())],
            global::Parquet.Data.RawColumnData<ReadOnlyMemory<byte>> b => [.. b.Values.ToArray().Select(v => (object?)v.ToArray())],
            global::Parquet.Data.RawColumnData<DateTime> t => [.. t.Values.ToArray().Select(v => (object?)DateTime.SpecifyKind(v, DateTimeKind.Utc))],
            global::Parquet.Data.RawColumnData<bool> x => [.. x.Values.ToArray().Select(v => (object?)v)],
            global::Parquet.Data.RawColumnData<int> x => [.. x.Values.ToArray().Select(v => (object?)v)],
            global::Parquet.Data.RawColumnData<long> x => [.. x.Values.ToArray().Select(v => (object?)v)],
            global::Parquet.Data.RawColumnData<float> x => [.. x.Values.ToArray().Select(v => (object?)v)],
            global::Parquet.Data.RawColumnData<double> x => [.. x.Values.ToArray().Select(v => (object?)v)],
            global::Parquet.Data.RawColumnData<global::Parquet.Data.BigDecimal> x =>
                [.. x.Values.ToArray().Select(v => (object?)new IcebergDecimal(v.UnscaledValue, v.Scale).Rescale(type.Scale))],
            global::Parquet.Data.RawColumnData<DateOnly> x => [.. x.Values.ToArray().Select(v => (object?)v)],
            _ => throw new NotSupportedException($"cannot read {raw.GetType().Name} as Iceberg {type}"),
        };
    }
}
