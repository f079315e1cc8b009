using System.Globalization;
using System.Text.Json.Nodes;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using ClickHouse.Driver.Utility;
using K2.Tests.Catalog;
using K2.Tests.Support;
using Parquet;

namespace K2.Tests.ClickHouse.HttpInterface;

/// <summary>ClickHouse clients nobody here wrote against the embedded HTTP interface, over real hot and cold tiers.</summary>
[NonParallelizable]
public sealed class ForeignClickHouseClientTests
{
    private ColdTier _cold = null!;
    private HttpInterfaceServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _cold = await ColdTier.OffloadedAsync();
        _server = await HttpInterfaceServer.StartAsync(_cold.Hot.Settings.Database, _cold.Warehouse);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _server.DisposeAsync();
        await _cold.DisposeAsync();
    }

    [Test]
    public async Task The_official_JS_client_queries_both_tiers_downloads_Parquet_and_gets_errors()
    {
        NodeScript.Package("@clickhouse/client");
        var parquetFile = Path.Combine(TestPaths.NewScratchFolder("clickhouse-js"), "silver.parquet");

        var output = await NodeScript.RunAsync("ClickHouse/HttpInterface/Clients/clickhouse-js-queries.cjs", new Dictionary<string, string>
        {
            ["K2_CLICKHOUSE_URL"] = _server.Address.ToString(),
            ["K2_CLICKHOUSE_USER"] = HttpInterfaceServer.User,
            ["K2_CLICKHOUSE_PASSWORD"] = HttpInterfaceServer.Password,
            ["K2_CLICKHOUSE_DATABASE"] = _cold.Hot.Settings.Database,
            ["K2_PARQUET_FILE"] = parquetFile,
        });

        var got = JsonNode.Parse(output)!;
        got["ping"]!.GetValue<bool>().Should().BeTrue();
        got["hot"]!.AsArray().Select(r => $"{r!["exchange"]}\t{r["trades"]}\t{r["volume"]}").Should().Equal(HotAggregate());
        got["cold"]![0]!["rows"]!.ToString().Should().Be(ColdSilverRows().ToString(CultureInfo.InvariantCulture));
        got["parameterized"]![0]!["rows"]!.ToString().Should().Be(Scalar($"SELECT count() FROM {_cold.Hot.Table("silver_trades")} WHERE exchange = 'kraken'"));
        (await ParquetRowsAsync(File.OpenRead(parquetFile))).Should().Be(SilverRows());
        got["drop"]!["code"]!.GetValue<string>().Should().Be("164");
        got["insert"]!["code"]!.GetValue<string>().Should().Be("164");
        got["badPassword"]!["code"]!.GetValue<string>().Should().Be("516");
        Scalar($"SELECT count() FROM {_cold.Hot.Table("silver_trades")}").Should().Be(SilverRows().ToString(CultureInfo.InvariantCulture));
    }

    [Test]
    public async Task ClickHouse_Driver_queries_both_tiers_downloads_Parquet_and_gets_errors()
    {
        using var client = new ClickHouseClient(Settings(HttpInterfaceServer.Password));
        using var connection = client.CreateConnection();

        var hot = new List<string>();
        using (var command = connection.CreateCommand("SELECT exchange, count() AS trades, toString(sum(quantity)) AS volume FROM silver_trades GROUP BY exchange ORDER BY exchange"))
        using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) { hot.Add($"{reader.GetString(0)}\t{reader.GetValue(1)}\t{reader.GetString(2)}"); }
        }

        hot.Should().Equal(HotAggregate());
        using (var command = connection.CreateCommand("SELECT count() FROM cold.silver_trades"))
        {
            Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture).Should().Be(ColdSilverRows());
        }

        using (var command = connection.CreateCommand("SELECT count() FROM silver_trades WHERE exchange = {exchange:String}"))
        {
            command.AddParameter("exchange", "coinbase");
            Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)
                .Should().Be(Scalar($"SELECT count() FROM {_cold.Hot.Table("silver_trades")} WHERE exchange = 'coinbase'"));
        }

        using (var parquet = await client.ExecuteRawResultAsync("SELECT exchange, symbol, trade_id, price, quantity FROM silver_trades FORMAT Parquet", null, CancellationToken.None))
        {
            var bytes = new MemoryStream();
            await (await parquet.ReadAsStreamAsync()).CopyToAsync(bytes);
            bytes.Position = 0;
            (await ParquetRowsAsync(bytes)).Should().Be(SilverRows());
        }

        using (var command = connection.CreateCommand("DROP TABLE silver_trades"))
        {
            var drop = async () => await command.ExecuteNonQueryAsync();
            (await drop.Should().ThrowAsync<ClickHouseServerException>()).Which.ErrorCode.Should().Be(164);
        }

        using var intruder = new ClickHouseClient(Settings("not-the-password"));
        using var refused = intruder.CreateConnection();
        using var probe = refused.CreateCommand("SELECT 1");
        var query = async () => await probe.ExecuteScalarAsync();
        (await query.Should().ThrowAsync<ClickHouseServerException>()).Which.ErrorCode.Should().Be(516);
    }

    private ClickHouseClientSettings Settings(string password) => new()
    {
        Host = _server.Address.Host,
        Port = (ushort)_server.Address.Port,
        Protocol = "http",
        Username = HttpInterfaceServer.User,
        Password = password,
        Database = _cold.Hot.Settings.Database,
    };

    private IEnumerable<string> HotAggregate() =>
        EmbeddedClickHouse.Engine.QueryText($"SELECT exchange, count(), toString(sum(quantity)) FROM {_cold.Hot.Table("silver_trades")} GROUP BY exchange ORDER BY exchange")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private long SilverRows() => long.Parse(Scalar($"SELECT count() FROM {_cold.Hot.Table("silver_trades")}"), CultureInfo.InvariantCulture);

    private long ColdSilverRows() => _cold.RowCountsAsync().GetAwaiter().GetResult()["silver_trades"];

    private static string Scalar(string sql) => EmbeddedClickHouse.Engine.QueryText(sql).Trim();

    private static async Task<long> ParquetRowsAsync(Stream file)
    {
        await using (file)
        {
            await using var reader = await ParquetReader.CreateAsync(file);
            return reader.Metadata!.NumRows;
        }
    }
}
