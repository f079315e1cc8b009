using System.Globalization;
using Dapper;
using K2.Iceberg.Catalog;

namespace K2.Offload.Watermarks;

/// <summary>One row of <c>offload_watermarks</c>.</summary>
public sealed record WatermarkRow(string TableName, string Stream, long Position, long RowCount, string CommittedAt);

/// <summary>
/// <c>offload_watermarks</c>, in the catalog's own database (SQLite embedded, PostgreSQL in production) so that a
/// watermark row changes in the same transaction as the catalog pointer of the snapshot holding the rows.
/// </summary>
public sealed class WatermarkStore(SqlCatalog catalog)
{
    public const string TableName = "offload_watermarks";

    private const string Ddl = """
        CREATE TABLE IF NOT EXISTS offload_watermarks (
          table_name VARCHAR(255) NOT NULL,
          stream VARCHAR(255) NOT NULL,
          position BIGINT NOT NULL,
          row_count BIGINT NOT NULL,
          committed_at VARCHAR(40) NOT NULL,
          PRIMARY KEY (table_name, stream))
        """;

    private const string UpsertSql = """
        INSERT INTO offload_watermarks (table_name, stream, position, row_count, committed_at)
        VALUES (@TableName, @Stream, @Position, @RowCount, @CommittedAt)
        ON CONFLICT (table_name, stream) DO UPDATE SET position = excluded.position, row_count = excluded.row_count, committed_at = excluded.committed_at
        """;

    public SqlCatalog Catalog => catalog;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await catalog.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await catalog.ExecuteSchemaAsync([Ddl], cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<WatermarkRow>> ReadAsync(string? table, CancellationToken cancellationToken)
    {
        await using var connection = catalog.Connect();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string TableName, string Stream, long Position, long RowCount, string CommittedAt)>(new CommandDefinition(
            "SELECT table_name, stream, position, row_count, committed_at FROM offload_watermarks WHERE @Table IS NULL OR table_name = @Table ORDER BY table_name, stream",
            new { Table = table }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new WatermarkRow(r.TableName, r.Stream, r.Position, r.RowCount, r.CommittedAt))];
    }

    public async Task<Watermark> ReadWatermarkAsync(string table, CancellationToken cancellationToken) =>
        new((await ReadAsync(table, cancellationToken).ConfigureAwait(false)).ToDictionary(r => r.Stream, r => r.Position));

    /// <summary>Statements that set the table's rows to <paramref name="watermark"/>; run inside the catalog commit.</summary>
    public static IReadOnlyList<CommitStatement> Upserts(string table, Watermark watermark, IReadOnlyDictionary<string, long> rowCounts, DateTimeOffset now) =>
        [.. watermark.Positions.Select(p => new CommitStatement(UpsertSql, Row(table, p.Key, p.Value, rowCounts.GetValueOrDefault(p.Key), now)))];

    /// <summary>Writes <paramref name="watermark"/> outside a commit: the repair of rows left behind the committed snapshot.</summary>
    public async Task RepairAsync(string table, Watermark watermark, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = catalog.Connect();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (stream, position) in watermark.Positions)
        {
            await connection.ExecuteAsync(new CommandDefinition(UpsertSql, Row(table, stream, position, 0, now), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static object Row(string table, string stream, long position, long rowCount, DateTimeOffset now) => new
    {
        TableName = table,
        Stream = stream,
        Position = position,
        RowCount = rowCount,
        CommittedAt = now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
    };
}
