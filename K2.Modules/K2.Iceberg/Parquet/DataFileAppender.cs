using System.Globalization;
using K2.Iceberg.Spec;
using K2.Iceberg.Storage;

namespace K2.Iceberg.Parquet;

/// <summary>Sizes of the files an appender writes.</summary>
/// <param name="TargetFileSizeBytes">A file is closed once its flushed row groups reach this size.</param>
/// <param name="RowGroupRows">Rows buffered per open file before a row group is written (bounds memory).</param>
public sealed record WriterSettings(long TargetFileSizeBytes, int RowGroupRows);

/// <summary>
/// Streams rows into Parquet data files under the table's <c>data/</c> folder: one open file per partition,
/// rolled at the target size, uploaded when closed. Rows are lists of values in schema column order
/// (see docs/iceberg.md for the CLR type of each Iceberg type).
/// </summary>
public sealed class DataFileAppender : IAsyncDisposable
{
    private readonly IObjectStore _store;
    private readonly TableMetadata _table;
    private readonly Schema _schema;
    private readonly PartitionSpec _spec;
    private readonly ParquetLayout _layout;
    private readonly WriterSettings _settings;
    private readonly string _scratch;
    private readonly Dictionary<PartitionKey, ParquetFileWriter> _open = [];
    private readonly List<DataFile> _written = [];
    private readonly string _batch = $"{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid():N}";
    private int _fileNumber;

    internal DataFileAppender(IObjectStore store, TableMetadata table, WriterSettings settings)
    {
        _store = store;
        _table = table;
        _schema = table.CurrentSchema;
        _spec = table.DefaultSpec;
        _layout = new ParquetLayout(_schema);
        _settings = settings;
        _scratch = Directory.CreateTempSubdirectory("k2-iceberg-").FullName;
    }

    public long RecordCount { get; private set; }

    public async Task WriteAsync(IReadOnlyList<object?> row, CancellationToken cancellationToken = default)
    {
        var key = _spec.KeyOf(_schema, row);
        if (!_open.TryGetValue(key, out var writer))
        {
            var local = Path.Combine(_scratch, $"{_fileNumber++:D5}.parquet");
            writer = await ParquetFileWriter.CreateAsync(_schema, _layout, local, _settings.RowGroupRows, cancellationToken).ConfigureAwait(false);
            _open[key] = writer;
        }

        await writer.WriteAsync(row, cancellationToken).ConfigureAwait(false);
        RecordCount++;
        if (writer.FlushedBytes >= _settings.TargetFileSizeBytes)
        {
            _open.Remove(key);
            await UploadAsync(key, writer, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Closes and uploads every open file; returns all files written, ready for a commit.</summary>
    public async Task<IReadOnlyList<DataFile>> CompleteAsync(CancellationToken cancellationToken = default)
    {
        foreach (var (key, writer) in _open.ToList())
        {
            _open.Remove(key);
            await UploadAsync(key, writer, cancellationToken).ConfigureAwait(false);
        }

        return _written;
    }

    private async Task UploadAsync(PartitionKey key, ParquetFileWriter writer, CancellationToken cancellationToken)
    {
        var folder = _spec.IsUnpartitioned ? "" : _spec.PathOf(_schema, key) + "/";
        var uri = string.Create(CultureInfo.InvariantCulture, $"{_table.Location}/data/{folder}{_batch}-{_written.Count:D5}.parquet");
        var file = await writer.CloseAsync(uri, _spec.SpecId, key, cancellationToken).ConfigureAwait(false);
        await _store.MoveFileAsync(uri, writer.LocalPath, cancellationToken).ConfigureAwait(false);
        _written.Add(file);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var writer in _open.Values) { await writer.DisposeAsync().ConfigureAwait(false); }
        _open.Clear();
        Directory.Delete(_scratch, recursive: true);
    }
}
