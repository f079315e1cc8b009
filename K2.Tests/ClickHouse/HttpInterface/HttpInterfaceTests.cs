using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using K2.Offload.Tables;
using K2.Tests.Catalog;
using K2.Tests.Support;

namespace K2.Tests.ClickHouse.HttpInterface;

/// <summary>ClickHouse's HTTP protocol over the embedded engine, read-only, request by request.</summary>
[NonParallelizable]
public sealed class HttpInterfaceTests
{
    private ColdTier _cold = null!;
    private HttpInterfaceServer _server = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _cold = await ColdTier.OffloadedAsync();
        _server = await HttpInterfaceServer.StartAsync(_cold.Hot.Settings.Database, _cold.Warehouse);
        _http = _server.Client();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        await _cold.DisposeAsync();
    }

    [Test]
    public async Task Ping_and_an_empty_root_answer_Ok()
    {
        using var anonymous = _server.Client(password: null);
        (await anonymous.GetStringAsync("/ping")).Should().Be("Ok.\n");
        (await anonymous.GetStringAsync("/")).Should().Be("Ok.\n");
        (await anonymous.GetAsync("/play")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_query_in_the_url_the_body_or_both_answers_with_ClickHouse_headers()
    {
        using var response = await _http.GetAsync("/?query=" + Uri.EscapeDataString("SELECT 40 + 2") + "&query_id=q-fixed-1");
        (await response.Content.ReadAsStringAsync()).Should().Be("42\n");
        response.Headers.GetValues("X-ClickHouse-Query-Id").Should().Equal("q-fixed-1");
        response.Headers.GetValues("X-ClickHouse-Format").Should().Equal("TabSeparated");
        response.Headers.GetValues("X-ClickHouse-Timezone").Single().Should().NotBeEmpty();
        var summary = JsonNode.Parse(response.Headers.GetValues("X-ClickHouse-Summary").Single())!;
        summary["read_rows"]!.GetValue<string>().Should().MatchRegex("^[0-9]+$");
        response.Content.Headers.ContentType!.ToString().Should().Be("text/tab-separated-values; charset=UTF-8");

        (await PostAsync("/", "SELECT 'from the body'")).Should().Be("from the body\n");
        (await PostAsync("/?query=" + Uri.EscapeDataString("SELECT"), "7 * 6")).Should().Be("42\n", "the URL's query and the body are one statement");

        using var json = await _http.GetAsync("/?default_format=JSONCompact&query=" + Uri.EscapeDataString("SELECT 1 AS one"));
        json.Headers.GetValues("X-ClickHouse-Format").Should().Equal("JSONCompact");
        JsonNode.Parse(await json.Content.ReadAsStringAsync())!["data"]!.ToJsonString().Should().Be("[[1]]");

        using var byHeader = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("SELECT 1 AS one") };
        byHeader.Headers.Add("X-ClickHouse-Format", "CSVWithNames");
        (await (await _http.SendAsync(byHeader)).Content.ReadAsStringAsync()).Should().Be("\"one\"\n1\n");

        using var clause = await _http.GetAsync("/?default_format=CSV&query=" + Uri.EscapeDataString("SELECT 1 AS one FORMAT JSONEachRow"));
        clause.Headers.GetValues("X-ClickHouse-Format").Should().Equal(["JSONEachRow"], "the statement's FORMAT clause wins");
        (await clause.Content.ReadAsStringAsync()).Should().Be("{\"one\":1}\n");
    }

    [Test]
    public async Task Settings_parameters_and_the_database_come_from_the_url_and_leave_the_engine_as_it_was()
    {
        (await PostAsync("/?max_threads=3", "SELECT getSetting('max_threads')")).Should().Be("3\n");
        (await PostAsync("/?param_x=41", "SELECT {x:UInt32} + 1")).Should().Be("42\n");
        (await PostAsync("/", "SELECT currentDatabase()")).Should().Be(_cold.Hot.Settings.Database + "\n", "the hot tier's database is the default");
        (await PostAsync("/?database=system", "SELECT currentDatabase()")).Should().Be("system\n");
        (await PostAsync("/", "SELECT getSetting('readonly')")).Should().Be("1\n");
        EmbeddedClickHouse.Engine.QueryText("SELECT currentDatabase(), getSetting('readonly')").Should().Be("default\t0\n", "the daemon's connection keeps its database and may still write");
    }

    [Test]
    public async Task The_hot_tier_and_the_cold_tier_are_both_queryable()
    {
        var expected = EmbeddedClickHouse.Engine.QueryText($"SELECT exchange, count(), sum(quantity) FROM {_cold.Hot.Table("silver_trades")} GROUP BY exchange ORDER BY exchange");
        (await PostAsync("/", "SELECT exchange, count(), sum(quantity) FROM silver_trades GROUP BY exchange ORDER BY exchange")).Should().Be(expected).And.Contain("binance");

        foreach (var (table, rows) in await _cold.RowCountsAsync())
        {
            (await PostAsync("/", $"SELECT count() FROM cold.{table}")).Should().Be($"{rows}\n", $"cold.{table} is read from the Iceberg table");
        }

        var location = new Uri((await _cold.Warehouse.LoadTableAsync(ColdTables.Silver.Identifier)).Metadata.Location).LocalPath;
        await ExpectErrorAsync(Post("/", $"SELECT count() FROM icebergLocal('{location}')"), HttpStatusCode.Forbidden, 164,
            "ClickHouse refuses file-reading table functions in readonly mode; the cold database serves the same tables");
    }

    [Test]
    public async Task Writes_and_ways_around_readonly_are_refused_and_change_nothing()
    {
        var silver = _cold.Hot.Table("silver_trades");
        var rows = EmbeddedClickHouse.Engine.QueryText($"SELECT count() FROM {silver}");
        var outfile = Path.Combine(TestPaths.NewScratchFolder("outfile"), "stolen.tsv");
        foreach (var statement in new[]
        {
            $"INSERT INTO {silver} (exchange) VALUES ('x')",
            $"DROP TABLE {silver}",
            $"TRUNCATE TABLE {silver}",
            "CREATE TABLE made_here (x UInt8) ENGINE = Memory",
            $"ALTER TABLE {silver} DELETE WHERE 1",
            "SET readonly = 0",
            "SYSTEM JEMALLOC PURGE",
            "KILL QUERY WHERE 1",
            $"SELECT count() FROM {silver} SETTINGS readonly = 0",
            "SELECT * FROM (SELECT * FROM file('/etc/hostname', 'LineAsString') SETTINGS readonly = 0)",
            $"SELECT 1 INTO OUTFILE '{outfile}'",
        })
        {
            await ExpectErrorAsync(Post("/", statement), HttpStatusCode.Forbidden, 164, statement);
        }

        await ExpectErrorAsync(Post("/", $"SELECT 1; DROP TABLE {silver}"), HttpStatusCode.BadRequest, 62, "several statements at once");
        await ExpectErrorAsync(Post("/?readonly=0", "SELECT 1"), HttpStatusCode.Forbidden, 164, "readonly cannot be lowered");
        await ExpectErrorAsync(Post("/?max_execution_time=100000", "SELECT 1"), HttpStatusCode.InternalServerError, 452, "limits cannot be raised");
        await ExpectErrorAsync(Post("/?max_result_rows=0", "SELECT 1"), HttpStatusCode.InternalServerError, 452, "0 would lift the limit");
        EmbeddedClickHouse.Engine.QueryText($"SELECT count() FROM {silver}").Should().Be(rows);
        File.Exists(outfile).Should().BeFalse();
    }

    [Test]
    public async Task Errors_carry_ClickHouse_code_status_and_text()
    {
        using var response = await Post("/", "SELECT * FROM no_such_table");
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Headers.GetValues("X-ClickHouse-Exception-Code").Should().Equal("60");
        (await response.Content.ReadAsStringAsync()).Should().StartWith("Code: 60. DB::Exception: ").And.Contain("(UNKNOWN_TABLE)").And.EndWith("\n");

        await ExpectErrorAsync(Post("/", "SELEKT 1"), HttpStatusCode.BadRequest, 62, "a syntax error");
        await ExpectErrorAsync(Post("/?max_result_rows=10", "SELECT number FROM numbers(100)"), HttpStatusCode.InternalServerError, 396, "the result limit");
        await ExpectErrorAsync(Post("/?session_id=s1", "SELECT 1"), HttpStatusCode.NotImplemented, 48, "sessions");
        (await PostAsync("/", "SELECT count() FROM system.settings WHERE name = 'readonly'")).Should().Be("1\n", "a table named settings is not a SETTINGS clause");
    }

    [Test]
    public async Task A_wrong_password_or_user_is_refused_in_every_way_clients_send_them()
    {
        using var wrong = _server.Client(password: "guess");
        await ExpectErrorAsync(wrong.PostAsync("/", new StringContent("SELECT 1")), HttpStatusCode.Forbidden, 516, "basic auth");
        using var none = _server.Client(password: null);
        await ExpectErrorAsync(none.PostAsync("/", new StringContent("SELECT 1")), HttpStatusCode.Forbidden, 516, "no credentials (user default)");
        await ExpectErrorAsync(none.PostAsync($"/?user={HttpInterfaceServer.User}&password=guess", new StringContent("SELECT 1")), HttpStatusCode.Forbidden, 516, "URL parameters");

        using var headers = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("SELECT 'in'") };
        headers.Headers.Add("X-ClickHouse-User", HttpInterfaceServer.User);
        headers.Headers.Add("X-ClickHouse-Key", HttpInterfaceServer.Password);
        (await (await none.SendAsync(headers)).Content.ReadAsStringAsync()).Should().Be("in\n");
        _server.Log.Lines.Should().NotContain(l => l.Contains(HttpInterfaceServer.Password, StringComparison.Ordinal) || l.Contains("guess", StringComparison.Ordinal));
    }

    [Test]
    public async Task Large_results_stream_and_compress_and_the_wire_limit_cuts_them_with_an_error()
    {
        using var streamed = await _http.GetAsync("/?query=" + Uri.EscapeDataString("SELECT number FROM numbers(2000000)"), HttpCompletionOption.ResponseHeadersRead);
        streamed.Headers.TransferEncodingChunked.Should().BeTrue("the result is sent as the engine produces it");
        var lines = 0L;
        using (var reader = new StreamReader(await streamed.Content.ReadAsStreamAsync()))
        {
            while (await reader.ReadLineAsync() is not null) { lines++; }
        }

        lines.Should().Be(2_000_000);

        var withHeader = (await PostAsync("/", "SELECT number AS n FROM numbers(300000) FORMAT CSVWithNames")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        withHeader.Should().HaveCount(300_001).And.ContainSingle(l => l == "\"n\"", "a format with a header is answered whole, not as one output per engine chunk");

        using var gzip = new HttpRequestMessage(HttpMethod.Post, "/?enable_http_compression=1") { Content = new StringContent("SELECT number FROM numbers(1000) FORMAT CSV") };
        gzip.Headers.AcceptEncoding.ParseAdd("gzip");
        using var compressed = await _http.SendAsync(gzip);
        compressed.Content.Headers.ContentEncoding.Should().Equal("gzip");
        using (var unzip = new StreamReader(new GZipStream(await compressed.Content.ReadAsStreamAsync(), CompressionMode.Decompress)))
        {
            (await unzip.ReadToEndAsync()).Should().Be(string.Concat(Enumerable.Range(0, 1000).Select(i => $"{i}\n")));
        }

        // Small blocks and wide JSON rows: the text on the wire outgrows the limit before the engine's own count of the result does.
        await using var small = await HttpInterfaceServer.StartAsync(_cold.Hot.Settings.Database, configure: o => o.MaxResultBytes = 64 * 1024);
        using var limited = small.Client();
        var query = "/?max_block_size=50&query=" + Uri.EscapeDataString("SELECT number AS a_rather_long_column_name_for_every_row FROM numbers(100000) FORMAT JSONEachRow");
        using var cut = await limited.GetAsync(query, HttpCompletionOption.ResponseHeadersRead);
        var body = new StringBuilder();
        var reading = async () =>
        {
            using var reader = new StreamReader(await cut.Content.ReadAsStreamAsync());
            body.Append(await reader.ReadToEndAsync());
        };
        if (cut.StatusCode == HttpStatusCode.OK)
        {
            await reading.Should().ThrowAsync<IOException>("a result cut at the limit ends with a broken connection, never as a whole one");
            body.ToString().Should().NotContain("99999");
        }
        else
        {
            cut.Headers.GetValues("X-ClickHouse-Exception-Code").Should().Equal("396");
        }
    }

    [Test]
    public async Task A_query_over_the_time_limit_is_stopped()
    {
        await using var quick = await HttpInterfaceServer.StartAsync(_cold.Hot.Settings.Database, configure: o => o.MaxExecutionSeconds = 1);
        using var client = quick.Client();
        await ExpectErrorAsync(client.PostAsync("/", new StringContent("SELECT sleepEachRow(0.5) FROM numbers(6)")), HttpStatusCode.InternalServerError, 159, "max_execution_time");
        (await (await client.PostAsync("/", new StringContent("SELECT 1"))).Content.ReadAsStringAsync()).Should().Be("1\n", "the engine is free again");
    }

    private Task<HttpResponseMessage> Post(string path, string body) => _http.PostAsync(path, new StringContent(body));

    private async Task<string> PostAsync(string path, string body)
    {
        using var response = await Post(path, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return text;
    }

    private static async Task ExpectErrorAsync(Task<HttpResponseMessage> sending, HttpStatusCode status, int code, string because)
    {
        using var response = await sending;
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, $"{because}: {body}");
        response.Headers.GetValues("X-ClickHouse-Exception-Code").Should().Equal([code.ToString(System.Globalization.CultureInfo.InvariantCulture)], because);
        body.Should().StartWith($"Code: {code}. DB::Exception: ", because);
    }
}
