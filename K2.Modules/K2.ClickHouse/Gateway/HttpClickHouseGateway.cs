using System.Globalization;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using ClickHouse.Driver.Utility;
using K2.ClickHouse.Schema;

namespace K2.ClickHouse.Gateway;

/// <summary>The gateway over a ClickHouse server's HTTP interface (ClickHouse.Driver).</summary>
internal sealed class HttpClickHouseGateway(ClickHouseClient client) : IClickHouseGateway, IDisposable
{
    public string Kind => "http";

    /// <param name="timeout">How long one request may take (<c>Modules:ClickHouse:Http:TimeoutSeconds</c>).</param>
    public static HttpClickHouseGateway Create(string url, string username, string? password, TimeSpan timeout)
    {
        var uri = new Uri(url);
        var settings = new ClickHouseClientSettings
        {
            Host = uri.Host,
            Port = (ushort)uri.Port,
            Protocol = uri.Scheme,
            Username = username,
            Password = password ?? "",
            Timeout = timeout,
        };
        return new HttpClickHouseGateway(new ClickHouseClient(settings));
    }

    public async Task ExecuteAsync(string sql, IReadOnlyDictionary<string, string>? parameters = null, CancellationToken cancellationToken = default)
    {
        await Translated(async () =>
        {
            using var connection = client.CreateConnection();
            using var command = Command(connection, sql, parameters);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
    }

    public Task<string> QueryTextAsync(string sql, IReadOnlyDictionary<string, string>? parameters = null, string format = "TabSeparated", CancellationToken cancellationToken = default) =>
        Translated(async () =>
        {
            using var connection = client.CreateConnection();
            using var command = Command(connection, WithFormat(sql, format), parameters);
            using var result = await command.ExecuteRawResultAsync(cancellationToken).ConfigureAwait(false);
            return await result.ReadAsStringAsync().ConfigureAwait(false);
        });

    public Task<Stream> QueryStreamAsync(string sql, string format, CancellationToken cancellationToken = default) =>
        Translated(async () =>
        {
            var result = await client.ExecuteRawResultAsync(WithFormat(sql, format), null, cancellationToken).ConfigureAwait(false);
            return await result.ReadAsStreamAsync().ConfigureAwait(false);
        });

    public Task<Stream> QueryStreamAsync(string sql, string format, IReadOnlyDictionary<string, string>? parameters, CancellationToken cancellationToken = default) =>
        parameters is null || parameters.Count == 0
            ? QueryStreamAsync(sql, format, cancellationToken)
            : Translated(async () =>
            {
                var connection = client.CreateConnection();
                try
                {
                    using var command = Command(connection, WithFormat(sql, format), parameters);
                    var result = await command.ExecuteRawResultAsync(cancellationToken).ConfigureAwait(false);
                    return (Stream)new ConnectionOwningStream(await result.ReadAsStreamAsync().ConfigureAwait(false), connection);
                }
                catch
                {
                    connection.Dispose();
                    throw;
                }
            });

    /// <summary>The server cannot write to this machine: each part is one query streamed into its local file.</summary>
    public async Task ExportParquetAsync(string sql, string partExpression, IReadOnlyList<string> parts, string folder, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken = default)
    {
        var checkedFolder = ParquetExport.CheckedFolder(folder);
        foreach (var part in parts.Select(ParquetExport.CheckedPartName))
        {
            var query = $"SELECT * FROM ({sql}) WHERE ({partExpression}) = '{part}'\n{ParquetExport.Settings(settings)}";
            await using var result = await QueryStreamAsync(query, "Parquet", cancellationToken).ConfigureAwait(false);
            await using var file = File.Create(Path.Combine(checkedFolder, $"{part}.parquet"));
            await result.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task ReleaseFreedMemoryAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public async Task InsertAsync(string table, string format, ReadOnlyMemory<byte> rows, CancellationToken cancellationToken = default)
    {
        var statement = $"INSERT INTO {SqlIdentifier.CheckedTableName(table, nameof(table))} FORMAT {SqlIdentifier.Checked(format, nameof(format))}";
        await Translated(async () =>
        {
            using var body = new MemoryStream(rows.ToArray(), writable: false);
            using var response = await client.PostStreamAsync(statement, body, false, cancellationToken).ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
    }

    public void Dispose() => client.Dispose();

    private static string WithFormat(string sql, string format) => $"{sql}\nFORMAT {SqlIdentifier.Checked(format, nameof(format))}";

    private static ClickHouseCommand Command(ClickHouseConnection connection, string sql, IReadOnlyDictionary<string, string>? parameters)
    {
        var command = connection.CreateCommand(sql);
        foreach (var (name, value) in parameters ?? new Dictionary<string, string>()) { command.AddParameter(name, value); }
        return command;
    }

    private static async Task<T> Translated<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ClickHouseServerException ex)
        {
            throw new ClickHouseGatewayException(ex.ErrorCode, ex.Message, ex);
        }
    }
}

/// <summary>A result stream that closes its connection when disposed.</summary>
internal sealed class ConnectionOwningStream(Stream inner, IDisposable connection) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            connection.Dispose();
        }

        base.Dispose(disposing);
    }
}
