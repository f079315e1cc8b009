using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.Iceberg.Parquet;
using K2.Iceberg.Spec;
using K2.Iceberg.Tables;
using K2.Offload.Tables;

namespace K2.Offload.Hot;

/// <summary>What streaming one query into data files wrote.</summary>
internal sealed record StreamedRows(long Rows, DateTime? NewestTime);

/// <summary>Reads hot rows for a cold table and streams them, batch by batch, into Parquet data files.</summary>
internal sealed class HotRows(IClickHouseGateway gateway, string database)
{
    public IClickHouseGateway Gateway => gateway;

    public string Table(ColdTable table) => $"{database}.{table.HotTable}";

    public string Table(string name) => $"{database}.{name}";

    /// <summary>
    /// <c>SELECT</c> of the cold columns (in wire form) over <paramref name="source"/>, a subquery that filters, orders and
    /// deduplicates hot rows. Output columns are named c0… so no alias shadows a hot column inside the expressions.
    /// </summary>
    public static string Select(ColdTable table, string source) =>
        $"SELECT {string.Join(", ", table.Columns.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"{c.HotExpression} AS c{i}")))} FROM ({source})";

    /// <summary>
    /// <c>SELECT</c> of the cold columns, named as in Iceberg and typed for ClickHouse's Parquet encoder, over
    /// <paramref name="source"/>.
    /// </summary>
    public static string ParquetSelect(ColdTable table, string source) =>
        $"SELECT {string.Join(", ", table.Columns.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"c{i} AS `{c.Name}`")))} " +
        $"FROM (SELECT {string.Join(", ", table.Columns.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"{c.ParquetExpression} AS c{i}")))} FROM ({source}))";

    /// <summary>
    /// Has ClickHouse write the rows of <paramref name="source"/> (filtered, deduplicated and sorted hot rows) as Parquet,
    /// one file per cold partition, and makes each file a data file of <paramref name="iceberg"/>. The partitions are
    /// found first in <paramref name="candidates"/>, the same rows before deduplication and sorting (cheap to scan).
    /// Memory is ClickHouse's for one query: callers bound it by the size of <paramref name="source"/>.
    /// </summary>
    public async Task<IReadOnlyList<DataFile>> ExportAsync(ColdTable table, IcebergTable iceberg, string source, string candidates, CancellationToken cancellationToken)
    {
        var fields = table.PartitionSpec.Fields;
        var expressions = fields.Select(f => PartitionSql.Expression(table, f)).ToList();
        var keys = fields.Count == 0
            ? [PartitionKey.Empty]
            : (await gateway.QueryRowsAsync($"SELECT DISTINCT {string.Join(", ", expressions)} FROM ({ParquetSelect(table, candidates)})", cancellationToken: cancellationToken).ConfigureAwait(false))
                .Select(row => new PartitionKey([.. fields.Select((f, i) => PartitionSql.Parse(table, f, row[i]))])).ToList();
        if (keys.Count == 0) { return []; }

        var folder = Directory.CreateTempSubdirectory("k2-offload-").FullName;
        try
        {
            var part = fields.Count == 0 ? "1" : PartExpression(table, fields, expressions, keys);
            await gateway.ExportParquetAsync(ParquetSelect(table, source), part, keys.Count, folder, ParquetSettings, cancellationToken).ConfigureAwait(false);
            var files = new List<DataFile>();
            for (var i = 0; i < keys.Count; i++)
            {
                var local = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{i + 1}.parquet"));
                if (!File.Exists(local)) { continue; }
                if (await iceberg.ImportDataFileAsync(local, keys[i], cancellationToken).ConfigureAwait(false) is { } file) { files.Add(file); }
            }

            return files;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Newest value of the table's time column in <paramref name="files"/>, from their upper bounds.</summary>
    public static DateTime? Newest(ColdTable table, IReadOnlyList<DataFile> files)
    {
        var id = table.FieldId(table.TimeColumn);
        var type = (PrimitiveType)table.Schema.Field(id).Type;
        return files.Where(f => f.UpperBounds.ContainsKey(id)).Select(f => (DateTime?)SingleValue.Decode(type, f.UpperBounds[id])).Max();
    }

    /// <summary>
    /// zstd (Iceberg's default codec); row groups of 128 Ki rows keep ClickHouse's buffer per open file small; no Bloom
    /// filters (Iceberg readers prune with manifest bounds and the page index).
    /// </summary>
    private static readonly Dictionary<string, string> ParquetSettings = new()
    {
        ["output_format_parquet_compression_method"] = "zstd",
        ["output_format_parquet_row_group_size"] = "131072",
        ["output_format_parquet_write_bloom_filter"] = "0",
    };

    /// <summary>1-based position of a row's partition tuple in <paramref name="keys"/>.</summary>
    private static string PartExpression(ColdTable table, IReadOnlyList<PartitionField> fields, IReadOnlyList<string> expressions, IReadOnlyList<PartitionKey> keys)
    {
        var types = string.Join(", ", fields.Select(f => PartitionSql.IsText(table, f) ? "String" : "Int32"));
        var tuples = string.Join(", ", keys.Select(k => $"({string.Join(", ", k.Values.Select(PartitionSql.Literal))})"));
        return $"indexOf(CAST([{tuples}] AS Array(Tuple({types}))), tuple({string.Join(", ", expressions)}))";
    }

    /// <summary>
    /// Streams <paramref name="sql"/> (RowBinary) into <paramref name="appender"/>. Rows come sorted, so a partition's rows
    /// are contiguous: its file is closed when the next partition begins, and memory holds one read buffer and one open
    /// row group whatever the backlog.
    /// </summary>
    public async Task<StreamedRows> StreamAsync(ColdTable table, string sql, DataFileAppender appender, Func<object?[], ValueTask>? each, CancellationToken cancellationToken)
    {
        var timeIndex = table.Schema.IndexOf(table.TimeColumn);
        DateTime? newest = null;
        long rows = 0;
        await using var stream = await gateway.QueryStreamAsync(sql, "RowBinary", cancellationToken).ConfigureAwait(false);
        var reader = new RowBinaryReader(stream, table.Columns);
        var spec = table.PartitionSpec;
        PartitionKey? partition = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is { } row)
        {
            if (each is not null) { await each(row).ConfigureAwait(false); }
            var key = spec.KeyOf(table.Schema, row);
            if (partition is not null && !key.Equals(partition)) { await appender.CompleteAsync(cancellationToken).ConfigureAwait(false); }
            partition = key;
            await appender.WriteAsync(row, cancellationToken).ConfigureAwait(false);
            rows++;
            if (row[timeIndex] is DateTime time && (newest is null || time > newest)) { newest = time; }
        }

        return new StreamedRows(rows, newest);
    }
}
