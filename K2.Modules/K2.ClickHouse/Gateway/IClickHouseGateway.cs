namespace K2.ClickHouse.Gateway;

/// <summary>
/// The one way K2 talks to ClickHouse, embedded (chDB) or over HTTP. Parameters use ClickHouse's
/// <c>{name:Type}</c> placeholders with values in text form; errors raise <see cref="ClickHouseGatewayException"/>.
/// </summary>
public interface IClickHouseGateway
{
    /// <summary><c>embedded</c> or <c>http</c>.</summary>
    string Kind { get; }

    /// <summary>Runs DDL or a command whose output is of no interest.</summary>
    Task ExecuteAsync(string sql, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default);

    /// <summary>Runs a query and returns its whole output in <paramref name="format"/>.</summary>
    Task<string> QueryTextAsync(string sql, IReadOnlyDictionary<string, string>? parameters = null, string format = "TabSeparated", CancellationToken cancellationToken = default);

    /// <summary>Streams a large result in <paramref name="format"/>; the caller disposes the stream.</summary>
    Task<Stream> QueryStreamAsync(string sql, string format, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="QueryStreamAsync(string, string, CancellationToken)"/>, with <c>{name:Type}</c> parameters in text form.</summary>
    Task<Stream> QueryStreamAsync(string sql, string format, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the result of <paramref name="sql"/> as Parquet files in <paramref name="folder"/> (empty, on this machine):
    /// one file <c>&lt;name&gt;.parquet</c> per value <paramref name="partExpression"/>, a String expression over the
    /// result's columns, gives, holding the rows that give it; it returns the names written. <paramref name="parts"/> are
    /// the names the caller expects, when it knows them (a name with no rows may have no file), which spares a server the
    /// pass that finds them; null when only the result itself can tell, as when rows may arrive between a survey and the
    /// export. Names use only letters, digits, '_' and '-'. <paramref name="order"/> is the result's sort order (ascending
    /// columns, as <paramref name="sql"/>'s <c>ORDER BY</c> has them), which each file keeps. <paramref name="settings"/>
    /// are ClickHouse output settings such as the Parquet compression and row-group size.
    /// </summary>
    Task<IReadOnlyList<string>> ExportParquetAsync(string sql, string partExpression, IReadOnlyList<string>? parts, IReadOnlyList<string> order, string folder,
        IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken = default);

    /// <summary>
    /// Hands memory the engine freed back to the system, after a large query such as an offload batch. An embedded
    /// engine otherwise keeps it cached in its allocator and the daemon stays at that query's peak; a server manages
    /// its own memory, so there this does nothing.
    /// </summary>
    Task ReleaseFreedMemoryAsync(CancellationToken cancellationToken = default);

    /// <summary>Inserts <paramref name="rows"/>, encoded in <paramref name="format"/>, into <paramref name="table"/>.</summary>
    Task InsertAsync(string table, string format, ReadOnlyMemory<byte> rows, CancellationToken cancellationToken = default);
}
