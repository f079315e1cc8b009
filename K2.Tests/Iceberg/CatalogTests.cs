using Dapper;
using K2.Iceberg;
using K2.Iceberg.Catalog;
using K2.Iceberg.Tables;
using K2.Tests.Support;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace K2.Tests.Iceberg;

/// <summary>The JDBC-catalog tables in PostgreSQL and SQLite, and commits that swap the metadata pointer atomically.</summary>
[TestFixture]
public sealed class CatalogTests
{
    private static readonly string[] TablesColumns =
    [
        "catalog_name varchar(255) NOT NULL pk",
        "table_namespace varchar(255) NOT NULL pk",
        "table_name varchar(255) NOT NULL pk",
        "metadata_location varchar(1000) NULL",
        "previous_metadata_location varchar(1000) NULL",
        "iceberg_type varchar(5) NULL",
    ];

    private static readonly string[] NamespacePropertiesColumns =
    [
        "catalog_name varchar(255) NOT NULL pk",
        "namespace varchar(255) NOT NULL pk",
        "property_key varchar(255) NOT NULL pk",
        "property_value varchar(1000) NULL",
    ];

    public enum Database { Sqlite, Postgres }

    [Test]
    public async Task Postgres_catalog_tables_match_the_jdbc_catalog_ddl_column_for_column()
    {
        var connectionString = PostgresServer.NewDatabase("ice");
        await IcebergModule.PostgresCatalog("k2", connectionString).InitializeAsync(default);

        await using var connection = new NpgsqlConnection(connectionString);
        async Task<string[]> ColumnsAsync(string table) => [.. await connection.QueryAsync<string>("""
            SELECT c.column_name || ' ' || c.data_type || '(' || c.character_maximum_length || ') '
                   || CASE c.is_nullable WHEN 'NO' THEN 'NOT NULL' ELSE 'NULL' END
                   || CASE WHEN k.column_name IS NULL THEN '' ELSE ' pk' END
            FROM information_schema.columns c
            LEFT JOIN information_schema.key_column_usage k ON k.table_name = c.table_name AND k.column_name = c.column_name
            WHERE c.table_name = @table ORDER BY c.ordinal_position
            """, new { table })];

        (await ColumnsAsync("iceberg_tables")).Should().Equal(TablesColumns.Select(c => c.Replace("varchar", "character varying", StringComparison.Ordinal)));
        (await ColumnsAsync("iceberg_namespace_properties")).Should().Equal(NamespacePropertiesColumns.Select(c => c.Replace("varchar", "character varying", StringComparison.Ordinal)));
    }

    [Test]
    public async Task Sqlite_catalog_tables_match_the_jdbc_catalog_ddl_column_for_column()
    {
        var path = Path.Combine(TestPaths.NewScratchFolder("ice-sqlite"), "catalog.db");
        await IcebergModule.SqliteCatalog("k2", path).InitializeAsync(default);

        await using var connection = new SqliteConnection($"Data Source={path}");
        async Task<string[]> ColumnsAsync(string table) => [.. (await connection.QueryAsync<(string Name, string Type, long NotNull, long Pk)>(
                $"SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}') ORDER BY cid"))
            .Select(c => $"{c.Name} {c.Type.ToLowerInvariant()} {(c.NotNull == 1 || c.Pk > 0 ? "NOT NULL" : "NULL")}{(c.Pk > 0 ? " pk" : "")}")];

        (await ColumnsAsync("iceberg_tables")).Should().Equal(TablesColumns);
        (await ColumnsAsync("iceberg_namespace_properties")).Should().Equal(NamespacePropertiesColumns);
    }

    [TestCase(Database.Sqlite)]
    [TestCase(Database.Postgres)]
    public async Task Two_writers_committing_concurrently_never_lose_or_duplicate_a_commit(Database database)
    {
        var first = await TestWarehouses.LocalAsync(Catalog(database));
        var second = TestWarehouses.Reopen(first);
        await SilverLikeTable.CreateAsync(first);
        const int commitsEach = 6;

        async Task<List<long>> WriterAsync(IcebergWarehouse warehouse, int writer)
        {
            var table = await warehouse.LoadTableAsync(new TableIdentifier("k2", "trades"));
            var snapshots = new List<long>();
            for (var c = 0; c < commitsEach; c++)
            {
                var start = ((writer * commitsEach) + c) * 10;
                var files = await SilverLikeTable.WriteAsync(table, Enumerable.Range(start, 10).Select(i => SilverLikeTable.Row(i, SilverLikeTable.Day1)));
                snapshots.Add((await table.AppendAsync(files)).SnapshotId);
            }

            return snapshots;
        }

        var results = await Task.WhenAll(Task.Run(() => WriterAsync(first, 0)), Task.Run(() => WriterAsync(second, 1)));

        var table = await first.LoadTableAsync(new TableIdentifier("k2", "trades"));
        var metadata = table.Metadata;
        metadata.Snapshots.Select(s => s.SnapshotId).Should().BeEquivalentTo(results.SelectMany(r => r));
        metadata.Snapshots.Select(s => s.SequenceNumber).Should().BeEquivalentTo(Enumerable.Range(1, 2 * commitsEach).Select(i => (long)i));
        metadata.LastSequenceNumber.Should().Be(2 * commitsEach);
        var chain = new List<long>();
        for (var s = metadata.CurrentSnapshot; s is not null; s = s.ParentSnapshotId is { } p ? metadata.SnapshotById(p) : null) { chain.Add(s.SnapshotId); }
        chain.Should().HaveCount(2 * commitsEach, "every commit builds on the one before it");

        var files = await table.ListDataFilesAsync();
        files.Should().HaveCount(2 * commitsEach).And.OnlyHaveUniqueItems(f => f.Path);
        metadata.CurrentSnapshot!.Summary["total-records"].Should().Be("120");
        TestWarehouses.Query($"SELECT count(), uniqExact(trade_id), min(trade_id), max(trade_id) FROM {TestWarehouses.ChDbSource(table)}").Should().Be("120\t120\t0\t119");

        var metadataFiles = await MetadataFilesAsync(table);
        metadataFiles.Should().BeEquivalentTo(metadata.MetadataLog.Select(e => e.MetadataFile).Append(table.MetadataLocation),
            "a metadata file whose swap lost is deleted at once");
        metadataFiles.Select(f => f[(f.LastIndexOf('/') + 1)..][..5]).Should().OnlyHaveUniqueItems();
    }

    [TestCase(Database.Sqlite)]
    [TestCase(Database.Postgres)]
    public async Task Extra_statements_commit_in_the_same_transaction_as_the_snapshot(Database database)
    {
        var catalog = Catalog(database);
        var warehouse = await TestWarehouses.LocalAsync(catalog);
        var table = await SilverLikeTable.CreateAsync(warehouse);
        await using (var connection = Connect(catalog))
        {
            await connection.ExecuteAsync("CREATE TABLE offload_watermark (name VARCHAR(50) PRIMARY KEY, upto BIGINT NOT NULL)");
            await connection.ExecuteAsync("INSERT INTO offload_watermark VALUES ('trades', 0)");
        }

        var files = await SilverLikeTable.WriteAsync(table, Enumerable.Range(0, 10).Select(i => SilverLikeTable.Row(i, SilverLikeTable.Day1)));
        var snapshot = await table.AppendAsync(files, new CommitOptions(
            [new CommitStatement("UPDATE offload_watermark SET upto = @Upto WHERE name = 'trades'", new { Upto = 10L })],
            new Dictionary<string, string> { ["k2.offload.upto"] = "10" }));

        snapshot.Summary["k2.offload.upto"].Should().Be("10");
        await using (var connection = Connect(catalog))
        {
            (await connection.QuerySingleAsync<long>("SELECT upto FROM offload_watermark")).Should().Be(10);
        }

        var before = table.MetadataLocation;
        var more = await SilverLikeTable.WriteAsync(table, Enumerable.Range(10, 10).Select(i => SilverLikeTable.Row(i, SilverLikeTable.Day1)));
        var failing = () => table.AppendAsync(more, new CommitOptions([new CommitStatement("UPDATE no_such_table SET x = 1")]));

        await failing.Should().ThrowAsync<Exception>();
        (await catalog.LoadLocationAsync(table.Identifier, default)).Should().Be(before, "the pointer swap rolled back with the failed statement");
        TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(table)}").Should().Be("10");
    }

    [Test]
    public async Task A_crash_between_writing_metadata_and_the_swap_leaves_no_file_a_reader_takes_as_current_after_restart()
    {
        var warehouse = await TestWarehouses.LocalAsync();
        var table = await SilverLikeTable.CreateAsync(warehouse);
        await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Enumerable.Range(0, 10).Select(i => SilverLikeTable.Row(i, SilverLikeTable.Day1))));
        var committed = table.MetadataLocation;

        table.BeforeSwap = () => throw new IOException("process killed");
        var crashing = async () => await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Enumerable.Range(10, 10).Select(i => SilverLikeTable.Row(i, SilverLikeTable.Day1))));
        await crashing.Should().ThrowAsync<IOException>();
        (await MetadataFilesAsync(table)).Should().HaveCount(3, "the crashed commit left 00002-… behind, as a killed process would");

        var restarted = TestWarehouses.Reopen(warehouse);
        await restarted.StartAsync();

        var reopened = await restarted.LoadTableAsync(table.Identifier);
        reopened.MetadataLocation.Should().Be(committed);
        (await MetadataFilesAsync(reopened)).Should().NotContain(f => MetadataVersion(f) > MetadataVersion(committed));
        TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(reopened)}").Should().Be("10");

        await reopened.AppendAsync(await SilverLikeTable.WriteAsync(reopened, Enumerable.Range(10, 5).Select(i => SilverLikeTable.Row(i, SilverLikeTable.Day1))));
        TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(reopened)}").Should().Be("15");
    }

    [Test]
    public async Task Creating_a_table_twice_opens_the_existing_one()
    {
        var warehouse = await TestWarehouses.LocalAsync();
        var created = await SilverLikeTable.CreateAsync(warehouse);
        var again = await SilverLikeTable.CreateAsync(warehouse);

        again.Metadata.TableUuid.Should().Be(created.Metadata.TableUuid);
        again.MetadataLocation.Should().Be(created.MetadataLocation);
        (await warehouse.ListTablesAsync()).Should().Equal(new TableIdentifier("k2", "trades"));
    }

    private static int MetadataVersion(string uri) => int.Parse(uri[(uri.LastIndexOf('/') + 1)..][..5], System.Globalization.CultureInfo.InvariantCulture);

    internal static async Task<List<string>> MetadataFilesAsync(IcebergTable table)
    {
        var result = new List<string>();
        await foreach (var o in table.Metadata.Location.StartsWith("file:", StringComparison.Ordinal)
            ? new K2.Iceberg.Storage.LocalObjectStore(Path.GetTempPath()).ListAsync(table.Metadata.Location + "/metadata/", default)
            : throw new NotSupportedException())
        {
            if (o.Uri.EndsWith(".metadata.json", StringComparison.Ordinal)) { result.Add(o.Uri); }
        }

        return result;
    }

    private static SqlCatalog Catalog(Database database) => database == Database.Postgres
        ? IcebergModule.PostgresCatalog("k2", PostgresServer.NewDatabase("ice"))
        : IcebergModule.SqliteCatalog("k2", Path.Combine(TestPaths.NewScratchFolder("ice-sqlite"), "catalog.db"));

    private static System.Data.Common.DbConnection Connect(SqlCatalog catalog) => catalog.Connect();
}
