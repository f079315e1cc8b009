using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using K2.Offload.Tables;
using K2.Tests.Support;

namespace K2.Tests.Catalog;

/// <summary>Clients of the Iceberg REST catalog that nobody here wrote, against tables written by the real offload.</summary>
[NonParallelizable]
public sealed class ForeignCatalogClientTests
{
    [Test]
    public async Task Iceberg_js_lists_the_cold_namespace_and_loads_every_table()
    {
        NodeScript.Package("iceberg-js");
        const string token = "iceberg-js-token-5d2a";
        await using var cold = await ColdTier.OffloadedAsync();
        await using var server = await CatalogServer.StartAsync(cold.Warehouse, new Dictionary<string, string?>
        {
            ["Modules:Catalog:Auth:TokenSha256:0"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))),
        });
        var expected = await cold.RowCountsAsync();

        var output = await NodeScript.RunAsync("Catalog/Clients/iceberg-js-reads-catalog.cjs", new Dictionary<string, string>
        {
            ["K2_CATALOG_URL"] = server.BaseAddress.ToString(),
            ["K2_CATALOG_TOKEN"] = token,
        });

        var found = JsonNode.Parse(output)!;
        found["namespaces"]!.ToJsonString().Should().Be("""[["cold"]]""", server.RequestLog);
        found["children"]!["cold"]!.AsArray().Should().BeEmpty();
        var tables = found["tables"]!.AsArray();
        tables.Select(t => t!["name"]!.GetValue<string>()).Should().BeEquivalentTo(ColdTables.All.Select(t => t.Name));
        foreach (var table in tables)
        {
            var name = table!["name"]!.GetValue<string>();
            var committed = await cold.Warehouse.LoadTableAsync(ColdTables.Find(name)!.Identifier);
            table["exists"]!.GetValue<bool>().Should().BeTrue();
            table["metadataLocation"]!.GetValue<string>().Should().Be(committed.MetadataLocation);
            table["location"]!.GetValue<string>().Should().Be(committed.Metadata.Location);
            table["formatVersion"]!.GetValue<int>().Should().Be(2);
            table["columns"]!.GetValue<int>().Should().Be(ColdTables.Find(name)!.Columns.Count);
            table["totalRecords"]!.GetValue<long>().Should().Be(expected[name]).And.BePositive();
        }

        found["missing"]!.GetValue<bool>().Should().BeFalse();
        found["loadMissing"]!["status"]!.GetValue<int>().Should().Be(404);
        found["loadMissing"]!["type"]!.GetValue<string>().Should().Be("NoSuchTableException");
        found["dropped"]!["status"]!.GetValue<int>().Should().Be(403);
        found["dropped"]!["type"]!.GetValue<string>().Should().Be("ForbiddenException");
        (await cold.Warehouse.ListTablesAsync()).Should().HaveCount(ColdTables.All.Count, "the refused drop left every table");
    }
}
