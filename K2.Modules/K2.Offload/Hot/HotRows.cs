using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.Iceberg.Parquet;
using K2.Iceberg.Spec;
using K2.Iceberg.Tables;
using K2.Offload.Tables;

namespace K2.Offload.Hot;

/// <summary>One cold partition of a batch of hot rows and how many rows it holds.</summary>
internal sealed record ColdPartition(PartitionKey Key, long Rows);

/// <summary>A batch's cold partitions and the span of its time column in Unix microseconds.</summary>
internal sealed record HotSurvey(IReadOnlyList<ColdPartition> Partitions, long FirstMicros, long LastMicros);

/// <summary>Reads hot rows for a cold table and has ClickHouse write them, batch by batch, as Parquet data files.</summary>
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
    /// The cold partitions of <paramref name="rows"/> with their row counts, and the span of the table's time column; a
    /// cheap scan of the few columns these need.
    /// </summary>
    public async Task<HotSurvey> SurveyAsync(ColdTable table, string rows, CancellationToken cancellationToken)
    {
        var fields = table.PartitionSpec.Fields;
        var keys = string.Concat(fields.Select(f => $"{PartitionSql.Expression(table, f)}, "));
        var time = $"`{table.TimeColumn}`";
        var found = await gateway.QueryRowsAsync(
            $"SELECT {keys}count(), toUnixTimestamp64Micro(min({time})), toUnixTimestamp64Micro(max({time})) FROM ({ParquetSelect(table, rows)}) GROUP BY ALL",
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var partitions = found
            .Select(row => new ColdPartition(new PartitionKey([.. fields.Select((f, i) => PartitionSql.Parse(table, f, row[i]))]), long.Parse(row[^3], CultureInfo.InvariantCulture)))
            .Where(p => p.Rows > 0).ToList();
        return partitions.Count == 0
            ? new HotSurvey([], 0, 0)
            : new HotSurvey(partitions, found.Min(row => long.Parse(row[^2], CultureInfo.InvariantCulture)), found.Max(row => long.Parse(row[^1], CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// Has ClickHouse write <paramref name="rows"/> (filtered hot rows) as Parquet, one file per cold partition in
    /// <paramref name="partitions"/>, each sorted in the table's sort order with one row per <paramref name="key"/> (the
    /// first ingested), and makes each file a data file of <paramref name="iceberg"/>. Partitions are spread over one
    /// branch per core, each converting, sorting and deduplicating its own rows, because ClickHouse sorts and deduplicates
    /// one stream per query part. Memory is ClickHouse's for one query: callers bound it by the size of <paramref name="rows"/>.
    /// </summary>
    public async Task<IReadOnlyList<DataFile>> ExportAsync(ColdTable table, IcebergTable iceberg, string rows, IReadOnlyList<string> key, IReadOnlyList<ColdPartition> partitions, CancellationToken cancellationToken)
    {
        if (partitions.Count == 0) { return []; }
        var fields = table.PartitionSpec.Fields;
        var expressions = fields.Select(f => PartitionSql.Expression(table, f)).ToList();
        var sorted = table.SortColumns.Append("ingested_at").Select(c => $"`{c}`").ToList();
        var order = string.Join(", ", sorted);
        var distinct = string.Join(", ", key.Select(c => $"`{c}`"));
        var branches = Branches(partitions, BranchCount);
        var sql = string.Join("\nUNION ALL\n", branches.Select(branch =>
            $"SELECT * FROM ({ParquetSelect(table, rows)}){(branches.Count == 1 ? "" : $" WHERE {PartitionSql.Filter(expressions, [.. branch.Select(p => p.Key)])}")} ORDER BY {order} LIMIT 1 BY {distinct}"));
        return await WriteFilesAsync(table, iceberg, sql, [.. partitions.Select(p => p.Key)], sorted, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Has ClickHouse write <paramref name="sql"/> (rows with the cold columns, named as in Iceberg and typed for its Parquet
    /// encoder) as Parquet, one file per cold partition, keeping the query's row order (<paramref name="order"/>, its ORDER
    /// BY columns), and makes each file a data file of <paramref name="iceberg"/>. <paramref name="partitions"/> are the
    /// partitions a survey found; null when the rows may change between a survey and the export (the files written then
    /// name their partitions), so that no row of a partition the survey missed is left out.
    /// </summary>
    public async Task<IReadOnlyList<DataFile>> WriteFilesAsync(ColdTable table, IcebergTable iceberg, string sql, IReadOnlyList<PartitionKey>? partitions,
        IReadOnlyList<string> order, CancellationToken cancellationToken)
    {
        if (partitions is { Count: 0 }) { return []; }
        var fields = table.PartitionSpec.Fields;
        var expressions = fields.Select(f => PartitionSql.Expression(table, f)).ToList();
        var folder = Directory.CreateTempSubdirectory("k2-offload-").FullName;
        try
        {
            var expected = partitions?.Distinct().Select(PartitionSql.FileName).ToList();
            var written = await gateway.ExportParquetAsync(sql, PartitionSql.FileNameExpression(expressions, table, fields), expected, order, folder, DataFileParquet.Settings, cancellationToken)
                .ConfigureAwait(false);
            var files = new List<DataFile>();
            foreach (var name in written)
            {
                var local = Path.Combine(folder, $"{name}.parquet");
                if (!File.Exists(local)) { continue; }
                if (await iceberg.ImportDataFileAsync(local, PartitionSql.ParseFileName(table, name), cancellationToken).ConfigureAwait(false) is { } file) { files.Add(file); }
            }

            return files;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>One branch per core (at most 8): enough to keep ClickHouse's threads busy, few enough that each sorts a sizeable share.</summary>
    private static readonly int BranchCount = Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>Partitions dealt largest first to the branch with the fewest rows so far.</summary>
    private static List<List<ColdPartition>> Branches(IReadOnlyList<ColdPartition> parts, int count)
    {
        var branches = Enumerable.Range(0, Math.Min(count, parts.Count)).Select(_ => new List<ColdPartition>()).ToList();
        foreach (var part in parts.OrderByDescending(p => p.Rows))
        {
            branches.MinBy(b => b.Sum(p => p.Rows))!.Add(part);
        }

        return branches;
    }

    /// <summary>Newest value of the table's time column in <paramref name="files"/>, from their upper bounds.</summary>
    public static DateTime? Newest(ColdTable table, IReadOnlyList<DataFile> files)
    {
        var id = table.FieldId(table.TimeColumn);
        var type = (PrimitiveType)table.Schema.Field(id).Type;
        return files.Where(f => f.UpperBounds.ContainsKey(id)).Select(f => (DateTime?)SingleValue.Decode(type, f.UpperBounds[id])).Max();
    }
}
