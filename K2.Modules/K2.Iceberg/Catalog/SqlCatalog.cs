using System.Data.Common;
using Dapper;

namespace K2.Iceberg.Catalog;

public enum CatalogDatabase { Sqlite, Postgres }

/// <summary>
/// Iceberg's JDBC catalog schema (V1: with <c>iceberg_type</c>) in PostgreSQL or SQLite, so Spark, Trino and
/// PyIceberg SQL catalogs open the same tables. A commit swaps <c>metadata_location</c> only if it still holds the
/// location the commit started from (compare-and-swap), together with any extra statements, in one transaction.
/// </summary>
public sealed class SqlCatalog(string name, CatalogDatabase database, Func<DbConnection> connect)
{
    internal const string TablesDdl = """
        CREATE TABLE IF NOT EXISTS iceberg_tables (
          catalog_name VARCHAR(255) NOT NULL,
          table_namespace VARCHAR(255) NOT NULL,
          table_name VARCHAR(255) NOT NULL,
          metadata_location VARCHAR(1000),
          previous_metadata_location VARCHAR(1000),
          iceberg_type VARCHAR(5),
          PRIMARY KEY (catalog_name, table_namespace, table_name))
        """;

    internal const string NamespacePropertiesDdl = """
        CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
          catalog_name VARCHAR(255) NOT NULL,
          namespace VARCHAR(255) NOT NULL,
          property_key VARCHAR(255),
          property_value VARCHAR(1000),
          PRIMARY KEY (catalog_name, namespace, property_key))
        """;

    public string Name { get; } = name;

    public CatalogDatabase Database { get; } = database;

    public Task InitializeAsync(CancellationToken cancellationToken) =>
        ExecuteSchemaAsync([TablesDdl, NamespacePropertiesDdl], cancellationToken);

    /// <summary>
    /// Runs idempotent DDL (<c>CREATE TABLE IF NOT EXISTS</c>) in the catalog database, safe when several
    /// writers start at once: PostgreSQL's IF NOT EXISTS is not (two sessions can both pass the check and
    /// collide in pg_type), so there the statements run under a transaction-scoped advisory lock.
    /// </summary>
    public async Task ExecuteSchemaAsync(IReadOnlyList<string> statements, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (Database == CatalogDatabase.Postgres)
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(7302914161)", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        foreach (var statement in statements)
        {
            await connection.ExecuteAsync(new CommandDefinition(statement, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task CreateNamespaceAsync(string ns, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value)
            VALUES (@Catalog, @Namespace, 'exists', 'true') ON CONFLICT DO NOTHING
            """, new { Catalog = Name, Namespace = ns }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The committed metadata location, or null when the table is not in the catalog.</summary>
    public async Task<string?> LoadLocationAsync(TableIdentifier table, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition("""
            SELECT metadata_location FROM iceberg_tables
            WHERE catalog_name = @Catalog AND table_namespace = @Namespace AND table_name = @Table
              AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)
            """, Key(table), cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Registers a table; false when a table of that name exists already.</summary>
    public async Task<bool> CreateAsync(TableIdentifier table, string metadataLocation, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location, iceberg_type)
            VALUES (@Catalog, @Namespace, @Table, @Location, NULL, 'TABLE') ON CONFLICT DO NOTHING
            """, new { Catalog = Name, table.Namespace, Table = table.Name, Location = metadataLocation }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows == 1;
    }

    /// <summary>
    /// Compare-and-swap of the metadata pointer plus <paramref name="extra"/> statements, atomically.
    /// Throws <see cref="CommitConflictException"/> when another commit won.
    /// </summary>
    public async Task SwapAsync(TableIdentifier table, string expected, string next, IReadOnlyList<CommitStatement> extra, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        int rows;
        try
        {
            rows = await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE iceberg_tables SET metadata_location = @Next, previous_metadata_location = @Expected
                WHERE catalog_name = @Catalog AND table_namespace = @Namespace AND table_name = @Table
                  AND metadata_location = @Expected AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)
                """, new { Catalog = Name, table.Namespace, Table = table.Name, Expected = expected, Next = next }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (rows == 1)
            {
                foreach (var statement in extra)
                {
                    await connection.ExecuteAsync(new CommandDefinition(statement.Sql, statement.Parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            // Nothing was committed: the transaction is never committed past this point.
            throw new CommitFailedException($"commit of {table} failed before the transaction committed: {ex.Message}", ex);
        }

        if (rows != 1)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            throw new CommitConflictException($"{table} moved on from {expected}: another writer committed first");
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<TableIdentifier>> ListTablesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Namespace, string Table)>(new CommandDefinition("""
            SELECT table_namespace, table_name FROM iceberg_tables
            WHERE catalog_name = @Catalog AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)
            ORDER BY table_namespace, table_name
            """, new { Catalog = Name }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new TableIdentifier(r.Namespace, r.Table))];
    }

    /// <summary>
    /// Every namespace of this catalog, as stored (levels joined by '.'): those holding tables and those created
    /// without any, as Java's JdbcCatalog lists them.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListNamespacesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT table_namespace FROM iceberg_tables WHERE catalog_name = @Catalog
            UNION
            SELECT namespace FROM iceberg_namespace_properties WHERE catalog_name = @Catalog
            ORDER BY 1
            """, new { Catalog = Name }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows];
    }

    /// <summary>The properties stored for a namespace (empty when it has none).</summary>
    public async Task<IReadOnlyDictionary<string, string>> LoadNamespacePropertiesAsync(string ns, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Key, string? Value)>(new CommandDefinition("""
            SELECT property_key, property_value FROM iceberg_namespace_properties
            WHERE catalog_name = @Catalog AND namespace = @Namespace AND property_key IS NOT NULL
            ORDER BY property_key
            """, new { Catalog = Name, Namespace = ns }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Key, r => r.Value ?? "", StringComparer.Ordinal);
    }

    private object Key(TableIdentifier table) => new { Catalog = Name, table.Namespace, Table = table.Name };

    /// <summary>A new connection to the catalog database (not opened).</summary>
    public DbConnection Connect() => connect();

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = connect();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }
}
