using System.Text;
using K2.ClickHouse.Embedded;
using K2.ClickHouse.Schema;

namespace K2.ClickHouse.Gateway;

/// <summary>
/// The gateway over the in-process chDB engine. The module registers one over its engine; public for code that opens
/// the engine itself on a folder of its own (the benchmarks).
/// </summary>
public sealed class EmbeddedClickHouseGateway(ChDbEngine engine) : IClickHouseGateway
{
    public string Kind => "embedded";

    public async Task ExecuteAsync(string sql, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default) =>
        await QueryTextAsync(sql, parameters, "TabSeparated", cancellationToken).ConfigureAwait(false);

    public async Task<string> QueryTextAsync(string sql, IReadOnlyDictionary<string, string>? parameters = null, string format = "TabSeparated", CancellationToken cancellationToken = default)
    {
        try
        {
            var bytes = await engine.QueryAsync(sql, format, Escaped(parameters), cancellationToken).ConfigureAwait(false);
            return Encoding.UTF8.GetString(bytes);
        }
        catch (ChDbException ex)
        {
            throw new ClickHouseGatewayException(ex.Code, ex.Message, ex);
        }
    }

    // ClickHouse reads parameter values in its Escaped text format; callers pass plain values.
    private static Dictionary<string, string>? Escaped(IReadOnlyDictionary<string, string>? parameters) =>
        parameters?.ToDictionary(p => p.Key, p => p.Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal));

    public Task<Stream> QueryStreamAsync(string sql, string format, CancellationToken cancellationToken = default) =>
        QueryStreamAsync(sql, format, null, cancellationToken);

    /// <summary>
    /// Row formats stream block by block. chDB writes each block as a whole output of its format, which only row formats
    /// can concatenate: any other (Parquet, ArrowStream, a header row) is written by the engine into a pipe read as it
    /// writes (<see cref="PipedOutput"/>), so memory stays flat either way and the first bytes come before the last row.
    /// </summary>
    public async Task<Stream> QueryStreamAsync(string sql, string format, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken = default)
    {
        try
        {
            if (!BlockConcatenating.Contains(format)) { return await WholeOutputAsync(sql, format, parameters, cancellationToken).ConfigureAwait(false); }
            return await engine.StreamAsync(sql, format, Escaped(parameters), cancellationToken).ConfigureAwait(false);
        }
        catch (ChDbException ex)
        {
            throw new ClickHouseGatewayException(ex.Code, ex.Message, ex);
        }
    }

    private static readonly HashSet<string> BlockConcatenating = new(StringComparer.OrdinalIgnoreCase)
    {
        "JSONEachRow", "JSONLines", "NDJSON", "JSONCompactEachRow", "JSONStringsEachRow", "CSV", "TabSeparated", "TSV", "TabSeparatedRaw", "TSVRaw", "RowBinary",
    };

    private async Task<Stream> WholeOutputAsync(string sql, string format, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken)
    {
        var checkedFormat = SqlIdentifier.Checked(format, nameof(format));

        // An INSERT gathers the rows into blocks of a million (min_insert_block_size_rows) before writing them, so a page of
        // rows would be held whole; blocks of 65,536 rows, about a SELECT's own, keep memory to a block or so.
        var output = await PipedOutput.StartAsync(ParquetExport.CheckedFolder(Path.GetTempPath()), pipe =>
            ExecuteAsync($"INSERT INTO FUNCTION file('{pipe}', '{checkedFormat}') SETTINGS min_insert_block_size_rows = 65536, min_insert_block_size_bytes = 0\n{sql}",
                parameters, cancellationToken)).ConfigureAwait(false);

        // Nothing written: the format's empty document (a schema, no data) is small enough to hold.
        return (Stream?)output ?? new MemoryStream(await engine.QueryAsync(sql, format, Escaped(parameters), cancellationToken).ConfigureAwait(false), writable: false);
    }

    /// <summary>
    /// The engine runs in this process, so its <c>file()</c> function writes every part in one pass, in the result's order.
    /// One expected part is written as one file without <c>PARTITION BY</c>, as a server's is (the rows of the part, in
    /// order): the partitioned write copies every block into its part's, which made a compaction's sorted statement 5–15 %
    /// slower (docs/maintenance.md).
    /// </summary>
    public async Task<IReadOnlyList<string>> ExportParquetAsync(string sql, string partExpression, IReadOnlyList<string>? parts, IReadOnlyList<string> order, string folder,
        IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken = default)
    {
        var checkedFolder = ParquetExport.CheckedFolder(folder);
        if (parts is [var only])
        {
            var part = ParquetExport.CheckedPartName(only);
            await ExecuteAsync($"INSERT INTO FUNCTION file('{Path.Combine(checkedFolder, part + ".parquet")}', 'Parquet')\n" +
                $"{ParquetExport.RowsOfPart(sql, partExpression, part)}\n{ParquetExport.Settings(settings)}", cancellationToken: cancellationToken).ConfigureAwait(false);
            return [part];
        }

        var target = Path.Combine(checkedFolder, "{_partition_id}.parquet");
        await ExecuteAsync($"INSERT INTO FUNCTION file('{target}', 'Parquet') PARTITION BY {partExpression}\n{sql}\n{ParquetExport.Settings(settings)}",
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return [.. Directory.EnumerateFiles(checkedFolder, "*.parquet").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal)];
    }

    public Task ReleaseFreedMemoryAsync(CancellationToken cancellationToken = default) => ExecuteAsync("SYSTEM JEMALLOC PURGE", cancellationToken: cancellationToken);

    public async Task InsertAsync(string table, string format, ReadOnlyMemory<byte> rows, CancellationToken cancellationToken = default)
    {
        // chDB takes the data inline, after the INSERT's FORMAT clause.
        var statement = $"INSERT INTO {SqlIdentifier.CheckedTableName(table, nameof(table))} FORMAT {SqlIdentifier.Checked(format, nameof(format))}\n{Encoding.UTF8.GetString(rows.Span)}";
        await ExecuteAsync(statement, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
