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

    /// <summary>
    /// Writes the result of <paramref name="sql"/> as Parquet files in <paramref name="folder"/> on this machine: one
    /// file <c>&lt;n&gt;.parquet</c> per value n in 1..<paramref name="parts"/> of <paramref name="partExpression"/>, an
    /// integer expression over the result's columns (a value with no rows may have no file). <paramref name="settings"/>
    /// are ClickHouse output settings such as the Parquet compression and row-group size.
    /// </summary>
    Task ExportParquetAsync(string sql, string partExpression, int parts, string folder, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken = default);

    /// <summary>Inserts <paramref name="rows"/>, encoded in <paramref name="format"/>, into <paramref name="table"/>.</summary>
    Task InsertAsync(string table, string format, ReadOnlyMemory<byte> rows, CancellationToken cancellationToken = default);
}
