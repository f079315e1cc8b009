using System.Text;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;

namespace K2.Tests.ClickHouse;

/// <summary>What every <see cref="IClickHouseGateway"/> must do; run against each implementation.</summary>
public abstract class GatewayContract
{
    private IClickHouseGateway? _gateway;
    private string _database = null!;

    protected abstract IClickHouseGateway CreateGateway();

    [OneTimeSetUp]
    public async Task CreateDatabase()
    {
        _gateway = CreateGateway();
        _database = $"contract_{Guid.NewGuid():N}";
        await _gateway!.ExecuteAsync($"CREATE DATABASE {_database}");
    }

    [OneTimeTearDown]
    public async Task DropDatabase()
    {
        if (_gateway is null) { return; }
        await _gateway.ExecuteAsync($"DROP DATABASE IF EXISTS {_database}");
        (_gateway as IDisposable)?.Dispose();
    }

    [Test]
    public async Task Executes_ddl_and_queries_what_it_created()
    {
        await _gateway!.ExecuteAsync($"CREATE TABLE {_database}.ddl (id UInt32, name String) ENGINE = MergeTree ORDER BY id");
        await _gateway!.ExecuteAsync($"INSERT INTO {_database}.ddl VALUES (2, 'b'), (1, 'a')");

        var rows = await _gateway!.QueryRowsAsync($"SELECT id, name FROM {_database}.ddl ORDER BY id");

        rows.Should().BeEquivalentTo(new[] { new[] { "1", "a" }, new[] { "2", "b" } }, o => o.WithStrictOrdering());
    }

    [Test]
    public async Task Binds_typed_parameters_and_returns_values_verbatim()
    {
        const string hostile = "x'); DROP DATABASE default; --\\\tend";
        var text = await _gateway!.QueryTextAsync(
            "SELECT {n:UInt32} + 1, toString({d:Decimal(38, 18)}), toString({t:DateTime64(6, 'UTC')}), {s:String}",
            new Dictionary<string, string> { ["n"] = "41", ["s"] = hostile, ["d"] = "0.000000000000000001", ["t"] = "2026-02-17 14:30:01.431007" },
            "TabSeparatedRaw");

        text.Should().Be($"42\t0.000000000000000001\t2026-02-17 14:30:01.431007\t{hostile}\n");
    }

    [Test]
    public async Task Inserts_rows_in_a_text_format_with_exact_decimals()
    {
        await _gateway!.ExecuteAsync($"CREATE TABLE {_database}.ins (id String, price Decimal(38, 18)) ENGINE = MergeTree ORDER BY id");
        var rows = Encoding.UTF8.GetBytes("{\"id\":\"a\",\"price\":\"70215.123456789012345678\"}\n{\"id\":\"b\",\"price\":\"0.00000001\"}\n");

        await _gateway!.InsertAsync($"{_database}.ins", "JSONEachRow", rows);

        var text = await _gateway!.QueryTextAsync($"SELECT id, price FROM {_database}.ins ORDER BY id");
        text.Should().Be("a\t70215.123456789012345678\nb\t0.00000001\n");
    }

    [Test]
    public async Task Streams_a_large_result_completely()
    {
        await using var stream = await _gateway!.QueryStreamAsync("SELECT number FROM numbers(300000)", "TabSeparated");
        using var reader = new StreamReader(stream);
        long count = 0, sum = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            count++;
            sum += long.Parse(line, System.Globalization.CultureInfo.InvariantCulture);
        }

        count.Should().Be(300000);
        sum.Should().Be(300000L * 299999 / 2);
    }

    [Test]
    public async Task Streams_a_whole_output_format_as_one_document()
    {
        var file = new MemoryStream();
        await using (var stream = await _gateway!.QueryStreamAsync(
            "SELECT number, toDecimal128(number, 18) / 7 AS share FROM numbers(300000) SETTINGS max_block_size = 8192, output_format_parquet_row_group_size = 65536", "Parquet"))
        {
            await stream.CopyToAsync(file);
        }

        file.Position = 0;
        var table = await Parquet.Serialization.ParquetSerializer.DeserializeUntypedAsync(file);
        table.Data.Select(row => (ulong)row["number"]!).Should().Equal(Enumerable.Range(0, 300000).Select(n => (ulong)n), "one Parquet file with every row once, in order");
    }

    [Test]
    public async Task Exports_an_expected_part_as_one_file_of_its_rows_in_the_query_order_and_several_parts_as_a_file_each()
    {
        // Sorted by a key that shuffles the numbers, across many blocks, so that a file in the query's order cannot be the numbers' own order.
        const string rows = "SELECT number, toString(number % 3) AS part, (number * 7919) % 200000 AS key FROM numbers(200000) ORDER BY key SETTINGS max_block_size = 8192";
        var inQueryOrder = Enumerable.Range(0, 200000).OrderBy(n => n * 7919L % 200000).ToList();
        var folder = Directory.CreateTempSubdirectory("k2-contract-export-").FullName;
        try
        {
            var one = await _gateway!.ExportParquetAsync(rows, "part", ["1"], ["key"], folder, new Dictionary<string, string>());
            var several = Directory.CreateDirectory(Path.Combine(folder, "several")).FullName;
            var each = await _gateway!.ExportParquetAsync(rows, "part", ["0", "1", "2"], ["key"], several, new Dictionary<string, string>());

            one.Should().Equal("1");
            (await NumbersAsync(Path.Combine(folder, "1.parquet"))).Should().Equal(inQueryOrder.Where(n => n % 3 == 1).Select(n => (ulong)n),
                "the part's rows only, each once, in the query's order");
            each.Should().Equal("0", "1", "2");
            foreach (var part in each)
            {
                (await NumbersAsync(Path.Combine(several, $"{part}.parquet"))).Should().Equal(
                    inQueryOrder.Where(n => (n % 3).ToString(System.Globalization.CultureInfo.InvariantCulture) == part).Select(n => (ulong)n));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<IEnumerable<ulong>> NumbersAsync(string path)
    {
        await using var file = File.OpenRead(path);
        var table = await Parquet.Serialization.ParquetSerializer.DeserializeUntypedAsync(file);
        return table.Data.Select(row => (ulong)row["number"]!).ToList();
    }

    [Test]
    public async Task A_whole_output_format_is_written_as_its_blocks_come_not_gathered_into_one_first()
    {
        // Gathering the blocks (as an INSERT squashes them, up to a million rows) would hold a whole page of rows in memory.
        var batches = new List<int>();
        await using (var stream = await _gateway!.QueryStreamAsync("SELECT number, repeat('x', 100) AS text FROM numbers(300000) SETTINGS max_block_size = 65536, output_format_arrow_compression_method = 'none'", "ArrowStream"))
        {
            using var reader = new Apache.Arrow.Ipc.ArrowStreamReader(stream);
            while (await reader.ReadNextRecordBatchAsync() is { } batch)
            {
                using (batch) { batches.Add(batch.Length); }
            }
        }

        batches.Sum().Should().Be(300000);
        batches.Max().Should().BeLessThanOrEqualTo(65536, "each block of the SELECT is written as it comes");
    }

    [Test]
    public async Task A_whole_output_query_that_fails_reports_its_error_and_leaves_the_engine_usable()
    {
        var act = async () =>
        {
            await using var stream = await _gateway!.QueryStreamAsync($"SELECT * FROM {_database}.no_such_table", "Parquet");
            await stream.CopyToAsync(Stream.Null);
        };

        (await act.Should().ThrowAsync<ClickHouseGatewayException>()).Which.Code.Should().Be(60);
        (await _gateway!.QueryTextAsync("SELECT 1")).Should().Be("1\n");
    }

    [Test]
    public async Task A_whole_output_stream_closed_early_leaves_the_gateway_usable()
    {
        await using (var stream = await _gateway!.QueryStreamAsync("SELECT number, repeat('x', 100) FROM numbers(2000000)", "ArrowStream"))
        {
            var buffer = new byte[4096];
            (await stream.ReadAsync(buffer)).Should().BePositive();
        }

        (await _gateway!.QueryTextAsync("SELECT 2").WaitAsync(TimeSpan.FromSeconds(60))).Should().Be("2\n");
    }

    [Test]
    public async Task Reports_server_errors_with_their_code()
    {
        var act = () => _gateway!.QueryTextAsync($"SELECT * FROM {_database}.no_such_table");

        (await act.Should().ThrowAsync<ClickHouseGatewayException>()).Which.Code.Should().Be(60);
    }

    [Test]
    public async Task Reports_a_supported_server_version()
    {
        var version = await _gateway!.ServerVersionAsync();

        ServerVersion.EnsureSupported(version).Should().BeGreaterThanOrEqualTo(ServerVersion.Minimum);
    }

    [Test]
    public void Refuses_table_names_that_are_not_identifiers()
    {
        var act = () => _gateway!.InsertAsync("t; DROP TABLE x", "JSONEachRow", Array.Empty<byte>());

        act.Should().ThrowAsync<ArgumentException>().WithMessage("*must be table or database.table*");
    }
}
