using System.Net;
using System.Text.Json;
using K2.Core.Configuration;
using K2.Core.Time;
using K2.Query;
using K2.Query.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Tests.Query;

/// <summary>Every bad input gets its 4xx problem naming the parameter; keys, rate limits and CORS guard the listener.</summary>
public sealed class QueryApiProtectionTests
{
    private QueryApi _api = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _api = await QueryApi.StartAsync(o => o.MaxTradeRangeDays = 31);
        await _api.Trades.InsertAsync(5, UnixMicros.Now(TimeProvider.System) - 60_000_000L, 1_000_000);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    [TestCase("/v1/trades?symbol=DOGE/EUR", "symbol", "not configured")]
    [TestCase("/v1/trades", "symbol", "is required")]
    [TestCase("/v1/trades?symbol=BTC/USDT&exchange=kraken&from=2026-01-02&to=2026-01-01", "from", "not before to")]
    [TestCase("/v1/trades?symbol=BTC/USDT&from=yesterday", "from", "not a time")]
    [TestCase("/v1/trades?symbol=BTC/USDT&from=2026-01-02T03:04:05", "from", "not a time")]
    [TestCase("/v1/trades?symbol=BTC/USDT&format=xml", "format", "json, ndjson, csv, parquet, arrow")]
    [TestCase("/v1/trades?symbol=BTC/USDT&from=2020-01-01&to=2026-01-01", "to", "too wide")]
    [TestCase("/v1/trades?symbol=BTC/USDT&limit=0", "limit", "from 1 to")]
    [TestCase("/v1/trades?symbol=BTC/USDT&limit=ten", "limit", "from 1 to")]
    [TestCase("/v1/trades?symbol=BTC/USDT&cursor=not-a-cursor", "cursor", "not a cursor")]
    [TestCase("/v1/trades?symbol=BTC/USDT&exchange=bitmex", "exchange", "binance, kraken, coinbase")]
    [TestCase("/v1/trades?symbol=BTC/USDT&form=2026-01-01", "form", "not a parameter")]
    [TestCase("/v1/trades?symbol=BTC/USDT&limit=5&limit=6", "limit", "more than once")]
    [TestCase("/v1/candles?symbol=BTC/USDT", "interval", "is required")]
    [TestCase("/v1/candles?symbol=BTC/USDT&interval=7s", "interval", "not an interval")]
    [TestCase("/v1/candles?symbol=BTC/USDT&interval=0m", "interval", "not an interval")]
    [TestCase("/v1/candles?symbol=BTC/USDT&interval=400d", "interval", "longer than 366 days")]
    [TestCase("/v1/candles?symbol=BTC/USDT&interval=1m&from=2000-01-01&to=2026-01-01", "from", "candles; at most")]
    [TestCase("/v1/candles?symbol=ETH/EUR&interval=1h", "symbol", "not configured")]
    [TestCase("/v1/candles?symbol=BTC/USDT&interval=1h&format=pdf", "format", "not a format")]
    [TestCase("/v1/instruments?exchange=ftx", "exchange", "not an exchange")]
    [TestCase("/v1/trades/live?symbol=BTC/USDT&from=2000-01-01", "from", "within the last")]
    [TestCase("/v1/trades/live?symbol=NOPE", "symbol", "not configured")]
    public async Task Bad_input_gets_a_400_problem_naming_the_parameter(string url, string parameter, string hint)
    {
        using var response = await _api.Http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, body);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using var problem = JsonDocument.Parse(body);
        problem.RootElement.GetProperty("parameter").GetString().Should().Be(parameter);
        problem.RootElement.GetProperty("detail").GetString().Should().Contain(hint);
    }

    [Test]
    public async Task A_cursor_is_refused_with_other_parameters_than_its_query()
    {
        var from = QueryReads.Iso(UnixMicros.Now(TimeProvider.System) - 120_000_000L);
        using var first = JsonDocument.Parse(await _api.Http.GetStringAsync($"/v1/trades?symbol=BTC/USDT&limit=1&from={from}"));
        var cursor = first.RootElement.GetProperty("next_cursor").GetString();
        cursor.Should().NotBeNull();
        using var response = await _api.Http.GetAsync($"/v1/trades?symbol=ETH/USDT&limit=1&from={from}&cursor={cursor}");
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("belongs to a request with other");
    }

    [Test]
    public void A_listener_off_loopback_without_keys_is_refused_at_start()
    {
        var problems = Problems(new() { ["Modules:Query:Listen"] = "0.0.0.0:18480" });
        problems.Should().ContainSingle(p => p.Contains("Modules:Query:ApiKeys", StringComparison.Ordinal) && p.Contains("not a loopback address", StringComparison.Ordinal));
        Problems(new() { ["Modules:Query:Listen"] = "0.0.0.0:18480", ["Modules:Query:ApiKeys:0:Name"] = "desk", ["Modules:Query:ApiKeys:0:Sha256"] = ApiKeyCheck.Hash("s3cret") })
            .Should().BeEmpty();
        Problems(new() { ["Modules:Query:ApiKeys:0:Name"] = "desk", ["Modules:Query:ApiKeys:0:Sha256"] = "s3cret" })
            .Should().ContainSingle(p => p.Contains("Modules:Query:ApiKeys:0:Sha256", StringComparison.Ordinal));
    }

    private static IReadOnlyList<string> Problems(Dictionary<string, string?> values)
    {
        var services = new ServiceCollection();
        services.AddValidatedOptions<QueryOptions>(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), QueryOptions.SectionName);
        return services.GetConfigurationProblems().All;
    }

    [Test]
    public async Task On_a_non_loopback_listener_a_request_without_a_valid_key_is_refused()
    {
        await using var api = await QueryApi.StartAsync(o =>
        {
            o.Listen = $"0.0.0.0:{QueryApi.FreePort()}";
            o.ApiKeys = [new QueryApiKey { Name = "desk", Sha256 = ApiKeyCheck.Hash("s3cret-key") }];
        });
        var url = new Uri($"http://127.0.0.1:{api.Options.Endpoint.Port}/v1/instruments");

        using var none = await api.Http.GetAsync(url);
        none.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        none.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");

        using var wrong = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "X-API-Key", "guess" } } };
        (await api.Http.SendAsync(wrong)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        using var right = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "X-API-Key", "s3cret-key" } } };
        (await api.Http.SendAsync(right)).StatusCode.Should().Be(HttpStatusCode.OK);

        using var bearer = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "Authorization", "Bearer s3cret-key" } } };
        (await api.Http.SendAsync(bearer)).StatusCode.Should().Be(HttpStatusCode.OK);

        // The console's files hold no data and load without a key; the page learns it must ask for one; its data needs one.
        var root = new Uri($"http://127.0.0.1:{api.Options.Endpoint.Port}");
        (await api.Http.GetAsync(new Uri(root, "/"))).StatusCode.Should().Be(HttpStatusCode.OK);
        using var settings = JsonDocument.Parse(await api.Http.GetStringAsync(new Uri(root, "/console/settings.json")));
        settings.RootElement.GetProperty("api_key_required").GetBoolean().Should().BeTrue();
        (await api.Http.GetAsync(new Uri(root, "/v1/feeds"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await api.Http.GetAsync(new Uri(root, "/v1/pipeline"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Requests_beyond_a_key_s_rate_are_refused_with_429_and_cors_allows_only_configured_origins()
    {
        await using var api = await QueryApi.StartAsync(o =>
        {
            o.ApiKeys = [new QueryApiKey { Name = "slow", Sha256 = ApiKeyCheck.Hash("k1"), PermitsPerMinute = 2 }, new QueryApiKey { Name = "fast", Sha256 = ApiKeyCheck.Hash("k2") }];
            o.CorsOrigins = ["https://dash.example.com"];
        });

        async Task<HttpResponseMessage> Get(string key, string? origin = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/v1/exchanges") { Headers = { { "X-API-Key", key } } };
            if (origin is not null) { request.Headers.Add("Origin", origin); }
            return await api.Http.SendAsync(request);
        }

        (await Get("k1")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Get("k1")).StatusCode.Should().Be(HttpStatusCode.OK);
        using var limited = await Get("k1");
        limited.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter.Should().NotBeNull();
        limited.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await Get("k2")).StatusCode.Should().Be(HttpStatusCode.OK, "each key has its own budget");

        using var allowed = await Get("k2", "https://dash.example.com");
        allowed.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal("https://dash.example.com");
        using var other = await Get("k2", "https://evil.example.net");
        other.Headers.Contains("Access-Control-Allow-Origin").Should().BeFalse();
    }

    [Test]
    public async Task The_generated_openapi_document_lists_every_endpoint()
    {
        using var document = JsonDocument.Parse(await _api.Http.GetStringAsync("/openapi.json"));
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.Should().Contain(["/v1/trades", "/v1/candles", "/v1/instruments", "/v1/exchanges", "/v1/trades/live", "/v1/feeds", "/v1/pipeline"]);
        var parameters = document.RootElement.GetProperty("paths").GetProperty("/v1/trades").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        parameters.Should().Contain(["exchange", "symbol", "from", "to", "limit", "cursor", "format"]);
    }

    [Test]
    public async Task The_root_path_serves_the_embedded_console_and_its_vendored_chart_library_with_its_licence()
    {
        using var page = await _api.Http.GetAsync("/");
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        page.Headers.GetValues("Content-Security-Policy").Single().Should().StartWith("default-src 'self'");
        (await page.Content.ReadAsStringAsync()).Should().Contain("<title>K2 console</title>")
            .And.Contain("vendor/lightweight-charts/lightweight-charts.standalone.production.js");

        var library = await _api.Http.GetStringAsync("/vendor/lightweight-charts/lightweight-charts.standalone.production.js");
        library.Should().Contain("TradingView Lightweight Charts™ v5.2.1");
        (await _api.Http.GetStringAsync("/vendor/lightweight-charts/LICENSE")).Should().Contain("Apache License");
        (await _api.Http.GetAsync("/no-such-file.js")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        using var settings = JsonDocument.Parse(await _api.Http.GetStringAsync("/console/settings.json"));
        settings.RootElement.GetProperty("api_key_required").GetBoolean().Should().BeFalse("this listener has no keys");
    }

    [Test]
    public async Task Feeds_and_pipeline_state_answer_in_json_and_say_when_no_ingestors_run_here()
    {
        using var feeds = JsonDocument.Parse(await _api.Http.GetStringAsync("/v1/feeds"));
        feeds.RootElement.GetProperty("ingesting").GetBoolean().Should().BeFalse();
        feeds.RootElement.GetProperty("count").GetInt32().Should().Be(0);
        using var pipeline = JsonDocument.Parse(await _api.Http.GetStringAsync("/v1/pipeline"));
        pipeline.RootElement.GetProperty("sections").GetArrayLength().Should().Be(0);
        (await _api.Http.GetAsync("/v1/feeds?exchange=binance")).StatusCode.Should().Be(HttpStatusCode.BadRequest, "unknown parameters are refused here too");
    }
}
