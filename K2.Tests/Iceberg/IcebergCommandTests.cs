using K2.Core.Configuration;
using K2.Daemon.Cli;
using K2.Iceberg;
using K2.Iceberg.Tables;
using K2.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Tests.Iceberg;

/// <summary><c>k2 iceberg</c> on a warehouse built from the Iceberg settings (SQLite catalog and local warehouse under the data dir).</summary>
[TestFixture]
public sealed class IcebergCommandTests
{
    [Test]
    public async Task Tables_describe_and_snapshots_show_what_was_committed()
    {
        var configuration = Configuration(new() { ["Storage:DataDir"] = TestPaths.NewScratchFolder("k2-data") });
        var services = new ServiceCollection();
        services.AddIceberg(configuration);
        services.GetConfigurationProblems().Any.Should().BeFalse();
        await using var provider = services.BuildServiceProvider();
        var warehouse = provider.GetRequiredService<IcebergWarehouse>();
        await warehouse.StartAsync();
        var table = await SilverLikeTable.CreateAsync(warehouse);
        await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Enumerable.Range(0, 30).Select(i => SilverLikeTable.Row(i, SilverLikeTable.Day1))));
        await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Enumerable.Range(30, 12).Select(i => SilverLikeTable.Row(i, SilverLikeTable.Day1.AddDays(1)))));

        var tables = new StringWriter();
        await IcebergCommand.ListAsync(warehouse, tables, default);
        var describe = new StringWriter();
        await IcebergCommand.DescribeAsync(table, describe, default);
        var snapshots = new StringWriter();
        await IcebergCommand.SnapshotsAsync(table, snapshots, default);

        tables.ToString().Should().MatchRegex(@"k2\.trades\s+2\s+42\s+file://.*/warehouse/k2/trades");
        tables.ToString().Should().Contain("1 table(s) in catalog k2 (Sqlite)");
        describe.ToString().Should().Contain("   7  trade_conditions         list<string>").And.Contain("partitioned by: exchange_ts_day = day(exchange_ts)")
            .And.Contain("data files: 2, 42 records").And.Contain($"snapshot: {table.Metadata.CurrentSnapshotId} (append");
        var lines = snapshots.ToString().TrimEnd().Split('\n');
        lines.Should().HaveCount(3);
        lines[2].Should().Contain($"{table.Metadata.CurrentSnapshotId}").And.Contain("append").And.Contain("added-records=12").And.Contain("total-records=42");
    }

    [Test]
    public void A_postgres_catalog_without_its_connection_string_variable_is_a_configuration_problem_naming_the_key()
    {
        var configuration = Configuration(new()
        {
            ["Iceberg:Catalog"] = "Postgres",
            ["Iceberg:PostgresConnectionStringVariable"] = "K2_TEST_UNSET_" + Guid.NewGuid().ToString("N"),
            ["Iceberg:Warehouse"] = "http://not-s3/bucket",
            ["Iceberg:RowGroupRows"] = "10",
        });
        var services = new ServiceCollection();
        services.AddIceberg(configuration);

        var problems = services.GetConfigurationProblems().All;
        problems.Should().Contain(p => p.StartsWith("Iceberg:PostgresConnectionStringVariable", StringComparison.Ordinal));
        problems.Should().Contain(p => p.StartsWith("Iceberg:Warehouse", StringComparison.Ordinal) && p.Contains("s3://bucket/prefix"));
        problems.Should().Contain(p => p.StartsWith("Iceberg:RowGroupRows", StringComparison.Ordinal));
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
