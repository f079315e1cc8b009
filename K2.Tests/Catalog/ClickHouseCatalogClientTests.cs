using System.Globalization;
using K2.ClickHouse.Embedded;
using K2.Offload.Tables;
using K2.Tests.Support;

namespace K2.Tests.Catalog;

/// <summary>
/// ClickHouse's own REST-catalog client (the DataLakeCatalog database engine, in the embedded engine) against K2's
/// catalog, with the warehouse in an s3rver bucket: it lists the cold tables and counts each.
/// </summary>
[NonParallelizable]
public sealed class ClickHouseCatalogClientTests
{
    private ColdTier _cold = null!;

    [OneTimeSetUp]
    public async Task OffloadAsync() => _cold = await ColdTier.OffloadedAsync(onS3: true);

    [OneTimeTearDown]
    public async Task DropAsync() => await _cold.DisposeAsync();

    [Test]
    public async Task DataLakeCatalog_lists_the_cold_tables()
    {
        await using var server = await CatalogServer.StartAsync(_cold.Warehouse, S3Settings());
        var database = NewLakeDatabase(server, credentialsInDatabase: true);

        var tables = Query($"SHOW TABLES FROM {database}").Split('\n', StringSplitOptions.RemoveEmptyEntries);

        tables.Should().BeEquivalentTo(ColdTables.All.Select(t => $"cold.{t.Name}"), server.RequestLog);
    }

    [Test]
    public async Task DataLakeCatalog_counts_every_table_with_the_keys_given_in_the_database()
    {
        await using var server = await CatalogServer.StartAsync(_cold.Warehouse, S3Settings());
        var database = NewLakeDatabase(server, credentialsInDatabase: true);

        await AssertCountsAsync(server, database);
        server.Log.Lines.Should().NotContain(l => l.Contains("vended", StringComparison.OrdinalIgnoreCase) && l.Contains("10005", StringComparison.Ordinal));
    }

    [Test]
    public async Task DataLakeCatalog_counts_every_table_with_keys_the_catalog_vends()
    {
        var access = $"K2_TEST_LAKE_ACCESS_{Guid.NewGuid():N}";
        var secret = $"K2_TEST_LAKE_SECRET_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(access, S3rverServer.AccessKey);
        Environment.SetEnvironmentVariable(secret, S3rverServer.SecretKey);
        var settings = new Dictionary<string, string?>(S3Settings())
        {
            ["Modules:Catalog:VendedCredentials:Enabled"] = "true",
            ["Modules:Catalog:VendedCredentials:AccessKeyVariable"] = access,
            ["Modules:Catalog:VendedCredentials:SecretKeyVariable"] = secret,
        };
        await using var server = await CatalogServer.StartAsync(_cold.Warehouse, settings);
        var database = NewLakeDatabase(server, credentialsInDatabase: false);

        await AssertCountsAsync(server, database);
    }

    private async Task AssertCountsAsync(CatalogServer server, string database)
    {
        foreach (var (table, rows) in await _cold.RowCountsAsync())
        {
            string counted;
            try
            {
                counted = Query($"SELECT count() FROM {database}.`cold.{table}`");
            }
            catch (ChDbException ex)
            {
                Assert.Fail($"reading cold.{table} through the catalog failed: {ex.Message}\nrequests:\n{server.RequestLog}");
                return;
            }

            long.Parse(counted, CultureInfo.InvariantCulture).Should().Be(rows, $"cold.{table} counted through ClickHouse's REST catalog client");
        }
    }

    /// <summary>The catalog hands out the s3rver endpoint (path-style), as it would a MinIO one.</summary>
    private static Dictionary<string, string?> S3Settings() => new()
    {
        ["Iceberg:S3:Endpoint"] = S3rverServer.ServiceUrl,
        ["Iceberg:S3:PathStyle"] = "true",
        ["Iceberg:S3:Region"] = "us-east-1",
    };

    private string NewLakeDatabase(CatalogServer server, bool credentialsInDatabase)
    {
        var database = $"lake_{Guid.NewGuid():N}"[..17];
        var keys = credentialsInDatabase ? $", '{S3rverServer.AccessKey}', '{S3rverServer.SecretKey}'" : "";
        // The REST catalog database engine is beta in ClickHouse 26.7: allowed for this statement only.
        EmbeddedClickHouse.Engine.Execute($"""
            SET allow_database_iceberg = 1;
            CREATE DATABASE {database} ENGINE = DataLakeCatalog('{server.RestUri}'{keys})
            SETTINGS catalog_type = 'rest', warehouse = 'k2', storage_endpoint = '{S3rverServer.ServiceUrl}/{_cold.Bucket}';
            SET allow_database_iceberg = 0
            """);
        return database;
    }

    private static string Query(string sql) => EmbeddedClickHouse.Engine.QueryText(sql).TrimEnd('\n');
}
