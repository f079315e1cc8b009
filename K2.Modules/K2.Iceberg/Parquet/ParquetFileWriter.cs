using K2.Iceberg.Spec;
using Parquet;
using IcebergSchema = K2.Iceberg.Spec.Schema;

namespace K2.Iceberg.Parquet;

/// <summary>
/// Writes one Parquet data file to a local file, a row group at a time: memory holds at most one row group.
/// </summary>
internal sealed class ParquetFileWriter : IAsyncDisposable
{
    private readonly IcebergSchema _schema;
    private readonly ParquetLayout _layout;
    private readonly FileStream _stream;
    private readonly ParquetWriter _writer;
    private readonly LeafBuffer[] _leaves;
    private readonly ColumnMetrics[] _metrics;
    private readonly int _rowGroupRows;
    private int _bufferedRows;
    private int _rowGroups;
    private bool _closed;

    private ParquetFileWriter(IcebergSchema schema, ParquetLayout layout, FileStream stream, ParquetWriter writer, int rowGroupRows)
    {
        _schema = schema;
        _layout = layout;
        _stream = stream;
        _writer = writer;
        _rowGroupRows = rowGroupRows;
        _leaves = [.. layout.Leaves.Select(LeafBuffer.For)];
        _metrics = [.. schema.Fields.Select(f => new ColumnMetrics(f))];
    }

    public string LocalPath => _stream.Name;

    public long RecordCount { get; private set; }

    /// <summary>Bytes of the row groups written so far (0 before the first, whatever the header takes).</summary>
    public long FlushedBytes => _rowGroups == 0 ? 0 : _stream.Length;

    public static async Task<ParquetFileWriter> CreateAsync(IcebergSchema schema, ParquetLayout layout, string localPath, int rowGroupRows, CancellationToken cancellationToken)
    {
        var stream = new FileStream(localPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        var writer = await ParquetWriter.CreateAsync(layout.Schema, stream, ParquetLayout.Options, cancellationToken: cancellationToken).ConfigureAwait(false);
        layout.StampFieldIds(writer);
        return new ParquetFileWriter(schema, layout, stream, writer, rowGroupRows);
    }

    public async Task WriteAsync(IReadOnlyList<object?> row, CancellationToken cancellationToken)
    {
        if (row.Count != _schema.Fields.Count)
        {
            throw new ArgumentException($"a row has {row.Count} values; the table schema has {_schema.Fields.Count} columns");
        }

        foreach (var leaf in _leaves) { Shred(leaf, row[leaf.Leaf.ColumnIndex]); }
        for (var i = 0; i < _metrics.Length; i++) { _metrics[i].Add(row[i]); }
        _bufferedRows++;
        RecordCount++;
        if (_bufferedRows >= _rowGroupRows) { await FlushRowGroupAsync(cancellationToken).ConfigureAwait(false); }
    }

    /// <summary>Closes the file and returns its manifest description (path and partition filled in by the caller).</summary>
    public async Task<DataFile> CloseAsync(string path, int specId, PartitionKey partition, CancellationToken cancellationToken)
    {
        await FlushRowGroupAsync(cancellationToken).ConfigureAwait(false);
        ParquetLayout.StripStatistics(_writer);
        await _writer.DisposeAsync().ConfigureAwait(false);
        var size = _stream.Length;
        await _stream.DisposeAsync().ConfigureAwait(false);
        _closed = true;
        Dictionary<int, long> values = [], nulls = [];
        Dictionary<int, byte[]> lower = [], upper = [];
        foreach (var m in _metrics) { m.AddTo(values, nulls, lower, upper); }
        return new DataFile(path, specId, partition, RecordCount, size, new Dictionary<int, long>(), values, nulls, lower, upper, []);
    }

    private async Task FlushRowGroupAsync(CancellationToken cancellationToken)
    {
        if (_bufferedRows == 0) { return; }
        using (var rowGroup = _writer.CreateRowGroup())
        {
            foreach (var leaf in _leaves) { await leaf.WriteAsync(rowGroup, cancellationToken).ConfigureAwait(false); }
        }

        foreach (var leaf in _leaves) { leaf.Clear(); }
        _bufferedRows = 0;
        _rowGroups++;
    }

    /// <summary>Turns a column value into Dremel levels for one leaf.</summary>
    private static void Shred(LeafBuffer buffer, object? value)
    {
        var leaf = buffer.Leaf;
        var optional = leaf.Column.Required ? 0 : 1;
        if (value is null)
        {
            if (leaf.Column.Required) { throw new ArgumentException($"column '{leaf.Column.Name}' is required but the row has no value"); }
            buffer.Add(null, 0, 0);
            return;
        }

        switch (leaf.Role)
        {
            case LeafRole.Value:
                buffer.Add(value, optional, 0);
                return;
            case LeafRole.ListElement:
                ShredItems(buffer, ((System.Collections.IEnumerable)value).Cast<object?>(), optional);
                return;
            default:
                ShredItems(buffer, Entries((System.Collections.IDictionary)value, leaf.Role == LeafRole.MapKey), optional);
                return;
        }
    }

    private static IEnumerable<object?> Entries(System.Collections.IDictionary map, bool keys)
    {
        var entry = map.GetEnumerator();
        while (entry.MoveNext()) { yield return keys ? entry.Key : entry.Value; }
    }

    private static void ShredItems(LeafBuffer buffer, IEnumerable<object?> items, int optional)
    {
        var present = optional + 1;
        var repetition = 0;
        foreach (var item in items)
        {
            if (item is null && buffer.Leaf.Required)
            {
                throw new ArgumentException($"column '{buffer.Leaf.Column.Name}' holds a null {buffer.Leaf.Role} but the type does not allow nulls");
            }

            buffer.Add(item, item is null ? present : buffer.MaxDefinition, repetition);
            repetition = 1;
        }

        if (repetition == 0) { buffer.Add(null, optional, 0); }
    }

    public async ValueTask DisposeAsync()
    {
        if (_closed) { return; }
        _closed = true;
        await _writer.DisposeAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        File.Delete(_stream.Name);
    }
}
