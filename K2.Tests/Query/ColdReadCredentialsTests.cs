using K2.ClickHouse;
using K2.Core.Configuration;
using K2.Iceberg.Tables;
using K2.Query;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Tests.Query;

/// <summary>The query API reads an S3 cold tier through ClickHouse; to a server it never sends the store's credentials.</summary>
[TestFixture]
public sealed class ColdReadCredentialsTests
{
    private const string CollectionKey = "Iceberg:S3:ServerCredentialsCollection";
    private const string Table = "s3://k2-warehouse/warehouse/cold/silver_trades";
    private static readonly string AccessVariable = Variable("query-access-key");
    private static readonly string SecretVariable = Variable("query-secret-key");

    /// <summary>A variable of its own holding <paramref name="value"/>, so no other test sees or changes it.</summary>
    private static string Variable(string value)
    {
        var name = $"K2_TEST_QUERY_S3_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(name, value);
        return name;
    }

    [Test]
    public void Over_a_ClickHouse_server_an_S3_warehouse_without_the_server_s_named_collection_is_refused_at_start()
    {
        var (problems, provider) = Configure("Http", collection: null);
        using (provider)
        {
            problems.Should().ContainSingle(p => p.StartsWith($"{CollectionKey} (env K2__Iceberg__S3__ServerCredentialsCollection)", StringComparison.Ordinal)
                && p.Contains("named collection", StringComparison.Ordinal));
            provider.GetRequiredService<ColdSourceSql>().For(Table).Should().NotContain("query-access-key").And.NotContain("query-secret-key");
        }
    }

    [Test]
    public void Over_a_ClickHouse_server_cold_reads_name_the_collection_and_carry_no_credentials()
    {
        var (problems, provider) = Configure("Http", collection: "k2_s3");
        using (provider)
        {
            problems.Should().NotContain(p => p.StartsWith(CollectionKey, StringComparison.Ordinal));
            var sql = provider.GetRequiredService<ColdSourceSql>().For(Table);
            sql.Should().StartWith("icebergS3(k2_s3, url = ").And.NotContain("query-access-key").And.NotContain("query-secret-key");
        }
    }

    [Test]
    public void With_the_embedded_engine_no_collection_is_needed()
    {
        var (problems, provider) = Configure("Embedded", collection: null);
        provider.Dispose();

        problems.Should().NotContain(p => p.StartsWith(CollectionKey, StringComparison.Ordinal));
    }

    private static (IReadOnlyList<string> Problems, ServiceProvider Provider) Configure(string mode, string? collection)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Modules:ClickHouse:Mode"] = mode,
            ["Modules:ClickHouse:Http:Url"] = "http://clickhouse:8123",
            ["Iceberg:Warehouse"] = Table[..Table.IndexOf("/cold/", StringComparison.Ordinal)],
            ["Iceberg:S3:Endpoint"] = "http://minio:9000",
            ["Iceberg:S3:AccessKeyVariable"] = AccessVariable,
            ["Iceberg:S3:SecretKeyVariable"] = SecretVariable,
        };
        if (collection is not null) { settings[CollectionKey] = collection; }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddClickHouse(configuration);
        services.AddQuery(configuration);
        return (services.GetConfigurationProblems().All, services.BuildServiceProvider());
    }
}
