using System.Data.Common;
using K2.Iceberg.Catalog;

namespace K2.Maintenance.Audit;

/// <summary>
/// <c>maintenance_audit_log</c> in the Iceberg catalog's database (PostgreSQL in production, SQLite embedded): the
/// reference's columns plus the (exchange, symbol, hour) of a row and the figures on both sides. Public for
/// <c>k2 audit</c>, which shows the latest audit from the catalog alone, without the hot tier.
/// </summary>
public sealed class AuditLog(SqlCatalog catalog)
{
    public const string TableName = "maintenance_audit_log";

    private const string Columns = "run_id, run_timestamp, iceberg_table, ch_source, layer, audit_window_hours, window_start, window_end, exchange, symbol, hour_start, "
        + "ch_row_count, iceberg_row_count, delta, delta_pct, ch_figures, iceberg_figures, status, notes";

    /// <summary>Creates the table when it does not exist.</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        var (id, time) = catalog.Database == CatalogDatabase.Postgres ? ("BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ") : ("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT");
        await catalog.ExecuteSchemaAsync([$"""
            CREATE TABLE IF NOT EXISTS {TableName} (
                id {id},
                run_id TEXT NOT NULL,
                run_timestamp {time} NOT NULL,
                iceberg_table TEXT NOT NULL,
                ch_source TEXT NOT NULL,
                layer TEXT NOT NULL,
                audit_window_hours INT NOT NULL,
                window_start {time} NOT NULL,
                window_end {time} NOT NULL,
                exchange TEXT NULL,
                symbol TEXT NULL,
                hour_start {time} NULL,
                ch_row_count BIGINT NOT NULL,
                iceberg_row_count BIGINT NOT NULL,
                delta BIGINT NOT NULL,
                delta_pct DECIMAL(12,4) NULL,
                ch_figures TEXT NULL,
                iceberg_figures TEXT NULL,
                status TEXT NOT NULL CHECK (status IN ('ok', 'warning', 'missing_data', 'error')),
                notes TEXT NOT NULL
            )
            """], cancellationToken).ConfigureAwait(false);
    }

    internal async Task WriteAsync(AuditReport report, int windowHours, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var row in report.Rows)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"INSERT INTO {TableName} ({Columns}) VALUES ({string.Join(", ", Columns.Split(", ").Select(c => "@" + c))})";
            object?[] values =
            [
                report.RunId, report.RunAt.UtcDateTime, row.Table, row.HotSource, row.Layer, windowHours, report.WindowStart.UtcDateTime, report.WindowEnd.UtcDateTime,
                row.Exchange, row.Symbol, row.Hour?.UtcDateTime, row.HotRows, row.ColdRows, row.Delta, row.DeltaPercent, row.HotFigures, row.ColdFigures,
                row.Status.ToWire(), row.Notes,
            ];
            foreach (var (name, value) in Columns.Split(", ").Zip(values))
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@" + name;
                parameter.Value = value ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rows of the latest run (empty when no audit ran yet).</summary>
    public async Task<AuditReport?> LatestAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Columns} FROM {TableName}
            WHERE run_id = (SELECT run_id FROM {TableName} ORDER BY id DESC LIMIT 1)
            ORDER BY id
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        AuditReport? report = null;
        var rows = new List<AuditRow>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            report ??= new AuditReport(reader.GetString(0), Utc(reader, 1), Utc(reader, 6), Utc(reader, 7), rows);
            rows.Add(new AuditRow(reader.GetString(2), reader.GetString(3), reader.GetString(4), Text(reader, 8), Text(reader, 9),
                reader.IsDBNull(10) ? null : Utc(reader, 10), reader.GetInt64(11), reader.GetInt64(12), reader.IsDBNull(14) ? null : reader.GetDecimal(14),
                Text(reader, 15), Text(reader, 16), AuditStatuses.Parse(reader.GetString(17)), reader.GetString(18)));
        }

        return report;
    }

    private static string? Text(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    private static DateTimeOffset Utc(DbDataReader reader, int i) => new(DateTime.SpecifyKind(reader.GetDateTime(i), DateTimeKind.Utc));

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = catalog.Connect();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }
}
