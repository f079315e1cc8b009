using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using K2.Catalog;
using K2.Core.Configuration;
using K2.Offload.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Tests.Catalog;

/// <summary>The REST catalog's answers, shape by shape, over cold tables written by the real offload.</summary>
[NonParallelizable]
public sealed class RestCatalogTests
{
    private ColdTier _cold = null!;
    private CatalogServer _server = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _cold = await ColdTier.OffloadedAsync();
        _server = await CatalogServer.StartAsync(_cold.Warehouse);
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
    public async Task Config_hands_out_the_prefix_the_warehouse_and_the_endpoints_it_serves()
    {
        var config = await GetJsonAsync("/v1/config?warehouse=k2");

        config["overrides"]!["prefix"]!.GetValue<string>().Should().Be("k2");
        config["overrides"]!["warehouse"]!.GetValue<string>().Should().Be(_cold.Warehouse.Store.WarehouseUri);
        config["defaults"].Should().BeOfType<JsonObject>();
        config["endpoints"]!.AsArray().Select(e => e!.GetValue<string>()).Should()
            .Contain(["GET /v1/{prefix}/namespaces", "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}", "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}"])
            .And.NotContain(e => e.StartsWith("POST /v1/{prefix}/namespaces/{namespace}/tables/{table}", StringComparison.Ordinal) && !e.EndsWith("/metrics", StringComparison.Ordinal));

        await ExpectErrorAsync(await _http.GetAsync("/v1/config?warehouse=elsewhere"), HttpStatusCode.NotFound, "NoSuchWarehouseException");
    }

    [Test]
    public async Task Namespaces_list_cold_at_the_top_and_nothing_beneath_it()
    {
        foreach (var root in new[] { "/v1/k2", "/v1" })
        {
            (await GetJsonAsync($"{root}/namespaces"))["namespaces"]!.ToJsonString().Should().Be("""[["cold"]]""");
            var children = await GetJsonAsync($"{root}/namespaces?parent=cold");
            children["namespaces"]!.AsArray().Should().BeEmpty("a client recursing into children must stop at cold");
            children.AsObject().ContainsKey("next-page-token").Should().BeTrue();
        }

        var cold = await GetJsonAsync("/v1/k2/namespaces/cold");
        cold["namespace"]!.ToJsonString().Should().Be("""["cold"]""");
        cold["properties"]!["location"]!.GetValue<string>().Should().Be(_cold.Warehouse.Store.WarehouseUri + "/cold");

        (await SendAsync(HttpMethod.Head, "/v1/k2/namespaces/cold")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await SendAsync(HttpMethod.Head, "/v1/k2/namespaces/warm")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        await ExpectErrorAsync(await _http.GetAsync("/v1/k2/namespaces/warm"), HttpStatusCode.NotFound, "NoSuchNamespaceException");
        await ExpectErrorAsync(await _http.GetAsync("/v1/k2/namespaces?parent=warm"), HttpStatusCode.NotFound, "NoSuchNamespaceException");
        await ExpectErrorAsync(await _http.GetAsync("/v1/other/namespaces"), HttpStatusCode.NotFound, "NoSuchWarehouseException");
    }

    [Test]
    public async Task Tables_list_every_cold_table_in_one_answer_or_in_pages_when_asked()
    {
        var all = Names(await GetJsonAsync("/v1/k2/namespaces/cold/tables"));
        all.Should().BeEquivalentTo(ColdTables.All.Select(t => t.Name));

        var paged = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await GetJsonAsync($"/v1/k2/namespaces/cold/tables?pageSize=4&pageToken={Uri.EscapeDataString(token)}");
            Names(page).Should().HaveCountLessThanOrEqualTo(4);
            paged.AddRange(Names(page));
            token = page["next-page-token"]?.GetValue<string>() ?? "";
            pages++;
        }
        while (token.Length > 0 && pages < 10);

        pages.Should().Be(3);
        paged.Should().Equal(all);
        (await GetJsonAsync("/v1/k2/namespaces/cold/views"))["identifiers"]!.AsArray().Should().BeEmpty();
    }

    [Test]
    public async Task Load_table_returns_the_committed_metadata_with_its_location()
    {
        var silver = await _cold.Warehouse.LoadTableAsync(ColdTables.Silver.Identifier);

        using var response = await _http.GetAsync("/v1/k2/namespaces/cold/tables/silver_trades");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var loaded = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        loaded["metadata-location"]!.GetValue<string>().Should().Be(silver.MetadataLocation);
        var metadata = loaded["metadata"]!;
        metadata.ToJsonString().Should().Be(JsonNode.Parse(await _cold.Warehouse.Store.ReadAllAsync(silver.MetadataLocation, default))!.ToJsonString(),
            "the metadata is the committed metadata file, unchanged");
        metadata["current-snapshot-id"]!.GetValue<long>().Should().Be(silver.Metadata.CurrentSnapshotId!.Value);
        loaded["config"].Should().BeOfType<JsonObject>();

        var etag = response.Headers.ETag!.Tag;
        using var again = new HttpRequestMessage(HttpMethod.Get, "/v1/k2/namespaces/cold/tables/silver_trades");
        again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag));
        (await _http.SendAsync(again)).StatusCode.Should().Be(HttpStatusCode.NotModified);

        var referenced = await GetJsonAsync("/v1/k2/namespaces/cold/tables/silver_trades?snapshots=refs");
        referenced["metadata"]!["snapshots"]!.AsArray().Select(s => s!["snapshot-id"]!.GetValue<long>()).Should().Equal(silver.Metadata.CurrentSnapshotId!.Value);

        using var fromClickHouse = new HttpRequestMessage(HttpMethod.Get, "/v1/k2/namespaces/cold/tables/silver_trades");
        fromClickHouse.Headers.UserAgent.ParseAdd("ClickHouse/26.7.2.1");
        var forClickHouse = JsonNode.Parse(await (await _http.SendAsync(fromClickHouse)).Content.ReadAsStringAsync())!.AsObject();
        forClickHouse.ContainsKey("metadata-location").Should().BeFalse("ClickHouse 26.7 misreads it behind a storage endpoint and finds the newest metadata file itself");
        forClickHouse["metadata"]!["current-snapshot-id"]!.GetValue<long>().Should().Be(silver.Metadata.CurrentSnapshotId!.Value);

        (await SendAsync(HttpMethod.Head, "/v1/k2/namespaces/cold/tables/silver_trades")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await SendAsync(HttpMethod.Head, "/v1/k2/namespaces/cold/tables/platinum_trades")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        await ExpectErrorAsync(await _http.GetAsync("/v1/k2/namespaces/cold/tables/platinum_trades"), HttpStatusCode.NotFound, "NoSuchTableException");
        await ExpectErrorAsync(await _http.GetAsync("/v1/k2/namespaces/cold/tables/silver_trades?snapshots=some"), HttpStatusCode.BadRequest, "BadRequestException");
    }

    [Test]
    public async Task Writes_are_refused_with_the_spec_error_shape_and_change_nothing()
    {
        var before = await _cold.Warehouse.Catalog.LoadLocationAsync(ColdTables.Silver.Identifier, default);
        var writes = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Post, "/v1/k2/namespaces"),
            (HttpMethod.Delete, "/v1/k2/namespaces/cold"),
            (HttpMethod.Post, "/v1/k2/namespaces/cold/properties"),
            (HttpMethod.Post, "/v1/k2/namespaces/cold/tables"),
            (HttpMethod.Post, "/v1/k2/namespaces/cold/tables/silver_trades"),
            (HttpMethod.Delete, "/v1/k2/namespaces/cold/tables/silver_trades"),
            (HttpMethod.Post, "/v1/k2/tables/rename"),
            (HttpMethod.Post, "/v1/k2/transactions/commit"),
            (HttpMethod.Post, "/v1/namespaces/cold/register"),
        };
        foreach (var (method, path) in writes)
        {
            using var request = new HttpRequestMessage(method, path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            await ExpectErrorAsync(await _http.SendAsync(request), HttpStatusCode.Forbidden, "ForbiddenException");
        }

        (await _cold.Warehouse.Catalog.LoadLocationAsync(ColdTables.Silver.Identifier, default)).Should().Be(before);
        await ExpectErrorAsync(await _http.PostAsync("/v1/k2/namespaces/cold/tables/silver_trades/plan", new StringContent("{}")), HttpStatusCode.NotAcceptable, "UnsupportedOperationException");
        (await _http.PostAsync("/v1/k2/namespaces/cold/tables/silver_trades/metrics", new StringContent("{}", Encoding.UTF8, "application/json"))).StatusCode
            .Should().Be(HttpStatusCode.NoContent, "clients report scan metrics after reading");
    }

    [Test]
    public async Task With_credentials_configured_only_a_valid_token_opens_the_catalog()
    {
        const string secret = "spark-secret-0f9e";
        const string staticToken = "static-token-77c1";
        await using var server = await CatalogServer.StartAsync(_cold.Warehouse, new Dictionary<string, string?>
        {
            ["Modules:Catalog:Auth:Clients:0:ClientId"] = "spark",
            ["Modules:Catalog:Auth:Clients:0:SecretSha256"] = Sha256(secret),
            ["Modules:Catalog:Auth:TokenSha256:0"] = Sha256(staticToken),
        });
        using var http = server.Client();

        var refused = await http.GetAsync("/v1/config");
        await ExpectErrorAsync(refused, HttpStatusCode.Unauthorized, "NotAuthorizedException");
        refused.Headers.WwwAuthenticate.Should().ContainSingle(h => h.Scheme == "Bearer");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "guessed");
        (await http.GetAsync("/v1/k2/namespaces")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        http.DefaultRequestHeaders.Authorization = null;

        var wrong = await http.PostAsync("/v1/oauth/tokens", Form(("grant_type", "client_credentials"), ("client_id", "spark"), ("client_secret", "nope")));
        wrong.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        JsonNode.Parse(await wrong.Content.ReadAsStringAsync())!["error"]!.GetValue<string>().Should().Be("invalid_client");
        (await http.PostAsync("/v1/oauth/tokens", Form(("grant_type", "password"), ("client_id", "spark"), ("client_secret", secret)))).StatusCode
            .Should().Be(HttpStatusCode.BadRequest);

        var issued = await http.PostAsync("/v1/oauth/tokens", Form(("grant_type", "client_credentials"), ("client_id", "spark"), ("client_secret", secret), ("scope", "catalog")));
        issued.StatusCode.Should().Be(HttpStatusCode.OK);
        var token = JsonNode.Parse(await issued.Content.ReadAsStringAsync())!;
        token["token_type"]!.GetValue<string>().Should().Be("bearer");
        token["expires_in"]!.GetValue<int>().Should().Be(3600);

        using var basic = new HttpRequestMessage(HttpMethod.Post, "/v1/oauth/tokens") { Content = Form(("grant_type", "client_credentials")) };
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"spark:{secret}")));
        (await http.SendAsync(basic)).StatusCode.Should().Be(HttpStatusCode.OK, "OAuth2 lets the client authenticate with basic auth");

        foreach (var bearer in new[] { token["access_token"]!.GetValue<string>(), staticToken })
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            (await http.GetAsync("/v1/k2/namespaces/cold/tables")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        server.Log.Lines.Should().NotContain(l => l.Contains(secret, StringComparison.Ordinal) || l.Contains(staticToken, StringComparison.Ordinal), "secrets never reach the log");
    }

    [Test]
    public async Task Storage_credentials_are_vended_only_when_enabled_and_asked_for()
    {
        var access = $"K2_TEST_VEND_ACCESS_{Guid.NewGuid():N}";
        var secret = $"K2_TEST_VEND_SECRET_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(access, "reader-key");
        Environment.SetEnvironmentVariable(secret, "reader-secret");
        await using var vending = await CatalogServer.StartAsync(_cold.Warehouse, new Dictionary<string, string?>
        {
            ["Modules:Catalog:VendedCredentials:Enabled"] = "true",
            ["Modules:Catalog:VendedCredentials:AccessKeyVariable"] = access,
            ["Modules:Catalog:VendedCredentials:SecretKeyVariable"] = secret,
        });
        using var http = vending.Client();

        (await LoadConfigAsync(http, delegation: false)).Should().NotContainKey("s3.access-key-id");
        var vended = await LoadConfigAsync(http, delegation: true);
        vended["s3.access-key-id"].Should().Be("reader-key");
        vended["s3.secret-access-key"].Should().Be("reader-secret");
        (await LoadConfigAsync(_http, delegation: true)).Should().NotContainKey("s3.access-key-id", "vending is off by default");
        await ExpectErrorAsync(await _http.GetAsync("/v1/k2/namespaces/cold/tables/silver_trades/credentials"), HttpStatusCode.Forbidden, "ForbiddenException");
        var credentials = await (await http.GetAsync("/v1/k2/namespaces/cold/tables/silver_trades/credentials")).Content.ReadAsStringAsync();
        JsonNode.Parse(credentials)!["storage-credentials"]![0]!["config"]!["s3.access-key-id"]!.GetValue<string>().Should().Be("reader-key");
        vending.Log.Lines.Should().NotContain(l => l.Contains("reader-secret", StringComparison.Ordinal));
    }

    [Test]
    public void A_listener_other_machines_reach_needs_credentials()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Modules:Catalog:Listen"] = "0.0.0.0:8181" }).Build();

        services.AddValidatedOptions<CatalogOptions>(configuration, CatalogOptions.SectionName);

        services.GetConfigurationProblems().All.Should().ContainSingle(p =>
            p.StartsWith("Modules:Catalog:Listen (env K2__Modules__Catalog__Listen)", StringComparison.Ordinal) && p.Contains("Auth:Clients", StringComparison.Ordinal));
    }

    private static async Task<Dictionary<string, string>> LoadConfigAsync(HttpClient http, bool delegation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/k2/namespaces/cold/tables/silver_trades");
        if (delegation) { request.Headers.Add("X-Iceberg-Access-Delegation", "vended-credentials"); }
        var loaded = JsonNode.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync())!;
        return loaded["config"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
    }

    private async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        return JsonNode.Parse(body)!;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path) => await _http.SendAsync(new HttpRequestMessage(method, path));

    private static async Task ExpectErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, body);
        var error = JsonNode.Parse(body)!["error"]!;
        error["type"]!.GetValue<string>().Should().Be(type);
        error["code"]!.GetValue<int>().Should().Be((int)status);
        error["message"]!.GetValue<string>().Should().NotBeEmpty();
    }

    private static List<string> Names(JsonNode listing) =>
        [.. listing["identifiers"]!.AsArray().Select(i => i!["name"]!.GetValue<string>())];

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
