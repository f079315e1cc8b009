using System.Globalization;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using ClickHouse.Driver.Utility;
using K2.ClickHouse.Schema;
using K2.Core.IO;

namespace K2.ClickHouse.Gateway;

/// <summary>The gateway over a ClickHouse server's HTTP interface (ClickHouse.Driver).</summary>
/// <param name="scratchDatabase">Database of the scratch tables a Parquet export of several parts computes its result into.</param>
internal sealed class HttpClickHouseGateway(ClickHouseClient client, string scratchDatabase) : IClickHouseGateway, IDisposable
{
    /// <summary>Names of export scratch tables start with this; only exports create such tables.</summary>
    private const string ScratchPrefix = "k2_export_";

    private readonly string _scratchDatabase = SqlIdentifier.Checked(scratchDatabase, nameof(scratchDatabase));

    public string Kind => "http";

    /// <param name="timeout">How long one request may take (<c>Modules:ClickHouse:Http:TimeoutSeconds</c>).</param>
    /// <param name="scratchDatabase">Where exports keep their scratch tables: the hot tier's database.</param>
    public static HttpClickHouseGateway Create(string url, string username, string? password, TimeSpan timeout, string scratchDatabase)
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
        return new HttpClickHouseGateway(new ClickHouseClient(settings), scratchDatabase);
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

    /// <summary>
    /// The server cannot write to this machine, and it answers one query with one Parquet file. One part is one query
    /// streamed into its file. Several parts, or parts not given, are computed once into a scratch table on the server, keyed
    /// by part and <paramref name="order"/> (which then also tells the parts), and each part is read back from it in order (a range of the table's key: no sort,
    /// no deduplication), so <paramref name="sql"/>, which may sort and deduplicate a large batch, runs once whatever the
    /// number of parts (a filter on the part cannot pass below its <c>LIMIT BY</c>). The scratch table is dropped at the
    /// end; one left by a process that died mid-export is dropped by the next export of several parts once it is older than
    /// <see cref="LeftoverAge"/> (its name carries its creation time), so exports running at once (the offload's tables run
    /// in parallel) never drop each other's.
    /// </summary>
    public async Task<IReadOnlyList<string>> ExportParquetAsync(string sql, string partExpression, IReadOnlyList<string>? parts, IReadOnlyList<string> order, string folder,
        IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken = default)
    {
        var checkedFolder = ParquetExport.CheckedFolder(folder);
        if (parts is [var only])
        {
            var part = ParquetExport.CheckedPartName(only);
            await ExportPartAsync(ParquetExport.RowsOfPart(sql, partExpression, part), checkedFolder, part, settings, cancellationToken).ConfigureAwait(false);
            return [part];
        }

        await DropScratchTablesAsync(cancellationToken).ConfigureAwait(false);
        var scratch = $"{_scratchDatabase}.{ScratchPrefix}{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}_{Guid.NewGuid():N}";
        var key = string.Join(", ", order.Prepend(ScratchPart));
        try
        {
            await ExecuteAsync($"CREATE TABLE {scratch} ENGINE = MergeTree ORDER BY ({key}) SETTINGS allow_nullable_key = 1\n" +
                $"AS SELECT {partExpression} AS {ScratchPart}, * FROM ({sql})", cancellationToken: cancellationToken).ConfigureAwait(false);
            var written = parts ?? (await QueryTextAsync($"SELECT DISTINCT {ScratchPart} FROM {scratch}", null, "TabSeparatedRaw", cancellationToken).ConfigureAwait(false))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var checkedParts = written.Select(ParquetExport.CheckedPartName).Order(StringComparer.Ordinal).ToList();
            foreach (var part in checkedParts)
            {
                await ExportPartAsync($"SELECT * EXCEPT ({ScratchPart}) FROM {scratch} WHERE {ScratchPart} = '{part}' ORDER BY {key}", checkedFolder, part, settings, cancellationToken)
                    .ConfigureAwait(false);
            }

            return checkedParts;
        }
        finally
        {
            await DropScratchTableAsync(scratch).ConfigureAwait(false);
        }
    }

    private const string ScratchPart = "_k2_part";

    /// <summary>
    /// Also when the export was cancelled. A server that cannot be reached now leaves the table to the next export, and the
    /// export's own error is the one reported.
    /// </summary>
    private async Task DropScratchTableAsync(string scratch)
    {
        try
        {
            await ExecuteAsync($"DROP TABLE IF EXISTS {scratch} SYNC", cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ClickHouseGatewayException or HttpRequestException or TaskCanceledException)
        {
        }
    }

    private async Task ExportPartAsync(string query, string folder, string part, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        await using var result = await QueryStreamAsync($"{query}\n{ParquetExport.Settings(settings)}", "Parquet", cancellationToken).ConfigureAwait(false);
        await using var file = File.Create(Path.Combine(folder, $"{part}.parquet"));
        await result.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
    }

    private async Task DropScratchTablesAsync(CancellationToken cancellationToken)
    {
        var leftovers = await QueryTextAsync("SELECT name FROM system.tables WHERE database = {database:String} AND startsWith(name, {prefix:String})",
            new Dictionary<string, string> { ["database"] = _scratchDatabase, ["prefix"] = ScratchPrefix }, "TabSeparatedRaw", cancellationToken).ConfigureAwait(false);
        var before = (DateTimeOffset.UtcNow - LeftoverAge).ToUnixTimeSeconds();
        foreach (var name in leftovers.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(n => CreatedAt(n) < before))
        {
            await ExecuteAsync($"DROP TABLE IF EXISTS {_scratchDatabase}.{SqlIdentifier.Checked(name, "scratch table")} SYNC", cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Longer than any export runs (each request is bounded by the HTTP timeout), short enough to reclaim the space.</summary>
    private static readonly TimeSpan LeftoverAge = TimeSpan.FromDays(1);

    /// <summary>Creation time (Unix seconds) in a scratch table's name; a name without one (an older daemon's) counts as old.</summary>
    private static long CreatedAt(string name)
    {
        var rest = name[ScratchPrefix.Length..];
        var separator = rest.IndexOf('_', StringComparison.Ordinal);
        return separator > 0 && long.TryParse(rest[..separator], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : 0;
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
internal sealed class ConnectionOwningStream(Stream inner, IDisposable connection) : ReadOnlyStream
{
    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

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
