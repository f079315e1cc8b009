using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using K2.Core.Time;
using K2.Query.Api;
using K2.Tests.Iceberg;
using K2.Tests.Support;

namespace K2.Tests.Query;

/// <summary>
/// NDJSON, CSV, Parquet and Arrow pages (cursor in a header) hold the same trades as JSON pages; candles in every format;
/// instruments and exchanges report each tier's time range.
/// </summary>
public sealed class FormatsAndInstrumentsTests
{
    private QueryApi _api = null!;
    private long _from;
    private long _to;

    [OneTimeSetUp]
    public async Task WriteAndOffload()
    {
        _api = await QueryApi.StartAsync();
        _from = UnixMicros.FromDateTimeOffset(new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-2), TimeSpan.Zero));
        await _api.Trades.InsertAsync(300, _from, 7_000_000);
        (await _api.Rig.NewRunner().RunAsync()).Should().OnlyContain(r => r.Error == null);
        await _api.Trades.InsertAsync(200, _from + 3_600_000_000L, 5_000_000);
        _to = UnixMicros.Now(TimeProvider.System);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    [TestCase("ndjson", "application/x-ndjson")]
    [TestCase("csv", "text/csv")]
    [TestCase("parquet", "application/vnd.apache.parquet")]
    [TestCase("arrow", "application/vnd.apache.arrow.stream")]
    public async Task Every_format_pages_through_the_same_trades_as_json(string format, string mediaType)
    {
        var expected = QueryReads.Expected(_api.Trades.All, "BTC/USDT", _from, _to).Select(t => (t.Exchange, t.TradeId, t.Price)).ToList();
        var read = new List<(string, string, decimal)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            using var response = await _api.Http.GetAsync(QueryReads.Url("/v1/trades", ("symbol", "BTC/USDT"), ("from", QueryReads.Iso(_from)), ("to", QueryReads.Iso(_to)),
                ("limit", "170"), ("format", format), ("cursor", cursor)));
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            response.Content.Headers.ContentType!.MediaType.Should().Be(mediaType);
            read.AddRange(Rows(format, await response.Content.ReadAsByteArrayAsync()));
            cursor = response.Headers.TryGetValues(TradesEndpoint.NextCursorHeader, out var values) ? values.Single() : null;
            pages++;
        }
        while (cursor is not null);

        read.Should().Equal(expected);
        pages.Should().BeGreaterThan(2);
    }

    /// <summary>(exchange, trade id, price) of each row: text formats parsed here, Parquet and Arrow read back by chDB.</summary>
    private static IEnumerable<(string, string, decimal)> Rows(string format, byte[] body)
    {
        if (format == "ndjson")
        {
            return Encoding.UTF8.GetString(body).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)
                .Select(r => (r.GetProperty("exchange").GetString()!, r.GetProperty("trade_id").GetString()!, QueryReads.Dec(r.GetProperty("price").GetString()!))).ToList();
        }

        if (format == "csv")
        {
            var lines = Encoding.UTF8.GetString(body).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            lines[0].Should().StartWith("exchange,symbol,canonical_symbol,trade_id,price");
            return lines.Skip(1).Select(l => l.Split(',').Select(f => f.Trim('"')).ToArray()).Select(f => (f[0], f[3], QueryReads.Dec(f[4]))).ToList();
        }

        var file = Path.Combine(TestWarehouses.LocalRoot(), $"page.{format}");
        File.WriteAllBytes(file, body);
        var text = EmbeddedClickHouse.Engine.QueryText($"SELECT exchange, trade_id, toString(price) FROM file('{file}', '{(format == "parquet" ? "Parquet" : "ArrowStream")}')");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split('\t')).Select(r => (r[0], r[1], QueryReads.Dec(r[2]))).ToList();
    }

    [TestCase("json")]
    [TestCase("ndjson")]
    [TestCase("csv")]
    [TestCase("parquet")]
    [TestCase("arrow")]
    public async Task Candles_come_in_every_format_and_accept_selects_one(string format)
    {
        var expected = QueryReads.ExpectedCandles(_api.Trades.All.Where(t => t.Canonical == "ETH/USDT" && t.Exchange == "kraken"), 3_600_000_000L, _to).Count;
        using var request = new HttpRequestMessage(HttpMethod.Get, QueryReads.Url("/v1/candles", ("symbol", "ETH/USD".Replace("USD", "USDT", StringComparison.Ordinal)),
            ("exchange", "kraken"), ("interval", "1h"), ("from", QueryReads.Iso(_from)), ("to", QueryReads.Iso(_to))));
        request.Headers.Accept.ParseAdd(K2.Query.Reading.OutputFormat.All.Single(f => f.Name == format).MediaType);
        using var response = await _api.Http.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var file = Path.Combine(TestWarehouses.LocalRoot(), $"candles.{format}");
        await File.WriteAllBytesAsync(file, await response.Content.ReadAsByteArrayAsync());
        var body = await File.ReadAllTextAsync(file);
        var count = format switch
        {
            "json" => JsonDocument.Parse(body).RootElement.GetProperty("count").GetInt32(),
            "ndjson" => body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length,
            "csv" => body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1,
            _ => int.Parse(EmbeddedClickHouse.Engine.QueryText($"SELECT count() FROM file('{file}', '{(format == "parquet" ? "Parquet" : "ArrowStream")}')").Trim(), CultureInfo.InvariantCulture),
        };
        count.Should().Be(expected);
    }

    [Test]
    public async Task Instruments_and_exchanges_report_the_time_range_each_tier_holds()
    {
        using var instruments = JsonDocument.Parse(await _api.Http.GetStringAsync("/v1/instruments"));
        var entries = instruments.RootElement.GetProperty("data").EnumerateArray().ToList();
        entries.Should().HaveCount(6);
        var btc = entries.Single(e => e.GetProperty("exchange").GetString() == "binance" && e.GetProperty("canonical_symbol").GetString() == "BTC/USDT");
        btc.GetProperty("symbol").GetString().Should().Be("BTCUSDT");
        var trades = _api.Trades.All.Where(t => t.Exchange == "binance" && t.Canonical == "BTC/USDT").ToList();
        btc.GetProperty("hot").GetProperty("first_trade_us").GetInt64().Should().Be(trades.Min(t => t.TsMicros), "hot still holds the offloaded rows");
        btc.GetProperty("hot").GetProperty("last_trade_us").GetInt64().Should().Be(trades.Max(t => t.TsMicros));
        btc.GetProperty("cold").GetProperty("first_trade_us").GetInt64().Should().Be(trades.Min(t => t.TsMicros));
        btc.GetProperty("cold").GetProperty("last_trade_us").GetInt64().Should().Be(trades.Where(t => t.TsMicros < _from + 3_600_000_000L).Max(t => t.TsMicros));
        btc.GetProperty("cold").GetProperty("first_trade").GetString().Should().Be(QueryReads.Iso(trades.Min(t => t.TsMicros)));

        using var exchanges = JsonDocument.Parse(await _api.Http.GetStringAsync("/v1/exchanges"));
        exchanges.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("exchange").GetString()).Should().Equal("binance", "kraken", "coinbase");
        exchanges.RootElement.GetProperty("data")[0].GetProperty("canonical_symbols").EnumerateArray().Select(s => s.GetString()).Should().Equal("BTC/USDT", "ETH/USDT");
    }

    [Test]
    public async Task The_command_line_prints_trades_candles_and_instruments_from_the_api()
    {
        var folder = TestWarehouses.LocalRoot();
        var url = $"http://{_api.Options.Listen}";
        async Task<string> Run(string name, params string[] args)
        {
            var file = Path.Combine(folder, name);
            var exit = await K2.Daemon.Cli.K2CommandLine.Create().Parse(["query", .. args, "--url", url, "--output", file]).InvokeAsync();
            exit.Should().Be(0);
            return file;
        }

        var expected = QueryReads.Expected(_api.Trades.All, "ETH/USDT", _from, _to);
        var csv = await File.ReadAllLinesAsync(await Run("trades.csv", "trades", "--symbol", "ETH/USDT", "--from", QueryReads.Iso(_from), "--to", QueryReads.Iso(_to), "--limit", "100000", "--format", "csv"));
        csv[0].Should().StartWith("exchange,symbol,canonical_symbol,trade_id");
        csv.Skip(1).Select(l => l.Split(',')[3].Trim('"')).Should().Equal(expected.Select(t => t.TradeId));

        var json = await File.ReadAllLinesAsync(await Run("trades.json", "trades", "--symbol", "ETHUSDT", "--from", QueryReads.Iso(_from), "--to", QueryReads.Iso(_to), "--limit", "50", "--format", "json"));
        json.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("trade_id").GetString()).Should().Equal(expected.Where(t => t.Exchange == "binance").Take(50).Select(t => t.TradeId));

        var table = await File.ReadAllLinesAsync(await Run("trades.txt", "trades", "--symbol", "ETH/USDT", "--exchange", "kraken", "--from", QueryReads.Iso(_from), "--limit", "5"));
        table.Should().HaveCount(6);
        table[0].Should().StartWith("exchange_ts");

        var parquet = await Run("candles.parquet", "candles", "--symbol", "BTC/USDT", "--interval", "4h", "--from", QueryReads.Iso(_from), "--to", QueryReads.Iso(_to), "--format", "parquet");
        EmbeddedClickHouse.Engine.QueryText($"SELECT count() FROM file('{parquet}', 'Parquet')").Trim().Should()
            .Be(QueryReads.ExpectedCandles(_api.Trades.All.Where(t => t.Canonical == "BTC/USDT"), 4 * 3_600_000_000L, _to).Count.ToString(CultureInfo.InvariantCulture));

        var instruments = await File.ReadAllLinesAsync(await Run("instruments.txt", "instruments"));
        instruments.Should().HaveCount(7).And.Contain(l => l.StartsWith("binance", StringComparison.Ordinal) && l.Contains("BTCUSDT", StringComparison.Ordinal) && l.Contains(" .. ", StringComparison.Ordinal));
    }
}
