using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using K2.Iceberg;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace K2.Catalog;

/// <summary>
/// The Apache Iceberg REST catalog API (open-api/rest-catalog-open-api.yaml) for readers: configuration, namespaces,
/// tables, table metadata and an OAuth2 token endpoint. Writes are refused with the spec's error shape. Every path is
/// served both under <c>/v1/{prefix}</c> (the prefix <c>/v1/config</c> hands out: the catalog name) and under
/// <c>/v1</c>, for clients configured without a warehouse.
/// </summary>
internal sealed class RestCatalogApi(CatalogReader reader, CatalogCredentials credentials, CatalogOptions options, IcebergOptions iceberg, ILogger<RestCatalogApi> logger)
{
    private const char NamespaceSeparator = '\u001F';
    private const int DefaultPageSize = 100;
    private const string TokenPath = "/v1/oauth/tokens";

    /// <summary>The endpoints this catalog serves, as <c>GET /v1/config</c> lists them.</summary>
    internal static readonly string[] Endpoints =
    [
        "GET /v1/{prefix}/namespaces",
        "GET /v1/{prefix}/namespaces/{namespace}",
        "HEAD /v1/{prefix}/namespaces/{namespace}",
        "GET /v1/{prefix}/namespaces/{namespace}/tables",
        "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
        "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
        "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials",
        "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
        "GET /v1/{prefix}/namespaces/{namespace}/views",
        "GET /v1/{prefix}/namespaces/{namespace}/views/{view}",
        "HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}",
    ];

    private string Prefix => reader.CatalogName;

    public void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (credentials.Required && !context.Request.Path.Equals(TokenPath, StringComparison.Ordinal) && !Authorized(context.Request, out var reason))
            {
                Log.Unauthorized(logger, context.Request.Method, context.Request.Path, context.Connection.RemoteIpAddress?.ToString(), reason);
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await RestError.NotAuthorized($"{reason}: send Authorization: Bearer <token> (a configured token, or one from POST {TokenPath})").ExecuteAsync(context);
                return;
            }

            try
            {
                await next(context);
                Log.Request(logger, context.Request.Method, context.Request.Path, context.Request.QueryString.ToString(), context.Request.Headers.UserAgent.ToString(), context.Response.StatusCode);
            }
            catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
            {
                Log.RequestFailed(logger, ex, context.Request.Method, context.Request.Path);
                await RestError.Error(StatusCodes.Status503ServiceUnavailable, "ServiceUnavailableException", $"the catalog database or warehouse failed: {ex.Message}").ExecuteAsync(context);
            }
        });

        app.MapGet("/v1/config", Config);
        app.MapPost(TokenPath, TokenAsync);
        foreach (var root in new[] { "/v1", "/v1/{prefix}" })
        {
            MapCatalog(app.MapGroup(root));
        }

        app.MapFallback((HttpRequest request) => RestError.Unsupported(request));
    }

    private void MapCatalog(RouteGroupBuilder v1)
    {
        v1.MapGet("/namespaces", ListNamespacesAsync);
        v1.MapGet("/namespaces/{namespace}", LoadNamespaceAsync);
        v1.MapMethods("/namespaces/{namespace}", ["HEAD"], NamespaceExistsAsync);
        v1.MapGet("/namespaces/{namespace}/tables", ListTablesAsync);
        v1.MapGet("/namespaces/{namespace}/tables/{table}", LoadTableAsync);
        v1.MapMethods("/namespaces/{namespace}/tables/{table}", ["HEAD"], TableExistsAsync);
        v1.MapGet("/namespaces/{namespace}/tables/{table}/credentials", LoadCredentialsAsync);
        v1.MapPost("/namespaces/{namespace}/tables/{table}/metrics", ReportMetricsAsync);
        v1.MapGet("/namespaces/{namespace}/views", ListViewsAsync);
        v1.MapGet("/namespaces/{namespace}/views/{view}", LoadViewAsync);
        v1.MapMethods("/namespaces/{namespace}/views/{view}", ["HEAD"], LoadViewAsync);

        foreach (var (method, path) in new[]
        {
            ("POST", "/namespaces"), ("DELETE", "/namespaces/{namespace}"), ("POST", "/namespaces/{namespace}/properties"),
            ("POST", "/namespaces/{namespace}/tables"), ("POST", "/namespaces/{namespace}/register"),
            ("POST", "/namespaces/{namespace}/tables/{table}"), ("DELETE", "/namespaces/{namespace}/tables/{table}"),
            ("POST", "/namespaces/{namespace}/tables/{table}/unregister"), ("POST", "/tables/rename"), ("POST", "/transactions/commit"),
            ("POST", "/namespaces/{namespace}/views"), ("POST", "/namespaces/{namespace}/views/{view}"),
            ("DELETE", "/namespaces/{namespace}/views/{view}"), ("POST", "/views/rename"), ("POST", "/namespaces/{namespace}/register-view"),
        })
        {
            v1.MapMethods(path, [method], (HttpRequest request) =>
            {
                Log.WriteRefused(logger, request.Method, request.Path);
                return RestError.ReadOnly(request);
            });
        }
    }

    private bool Authorized(HttpRequest request, out string reason)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            reason = "no bearer token";
            return false;
        }

        reason = "invalid or expired bearer token";
        return credentials.IsValidToken(header["Bearer ".Length..].Trim());
    }

    private IResult Config(HttpRequest request)
    {
        var warehouse = request.Query["warehouse"].ToString().TrimEnd('/');
        if (warehouse.Length > 0 && warehouse != reader.CatalogName && warehouse != reader.WarehouseUri)
        {
            return RestError.Error(StatusCodes.Status404NotFound, "NoSuchWarehouseException",
                $"Warehouse does not exist: {warehouse}; this catalog serves '{reader.CatalogName}' ({reader.WarehouseUri})");
        }

        var overrides = new JsonObject { ["prefix"] = Prefix, ["warehouse"] = reader.WarehouseUri };
        foreach (var (key, value) in StorageConfig()) { overrides[key] = value; }
        return Json(new JsonObject
        {
            ["defaults"] = new JsonObject(),
            ["overrides"] = overrides,
            ["endpoints"] = new JsonArray([.. Endpoints.Select(e => (JsonNode)e)]),
        });
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return RestError.OAuth(StatusCodes.Status400BadRequest, "invalid_request", "send application/x-www-form-urlencoded with grant_type=client_credentials");
        }

        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        if (form["grant_type"] != "client_credentials")
        {
            return RestError.OAuth(StatusCodes.Status400BadRequest, "unsupported_grant_type", $"grant_type '{form["grant_type"]}' is not supported; use client_credentials");
        }

        var (clientId, secret) = ((string?)form["client_id"], (string?)form["client_secret"]);
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0) { (clientId, secret) = (Uri.UnescapeDataString(pair[..colon]), Uri.UnescapeDataString(pair[(colon + 1)..])); }
        }

        var token = string.IsNullOrEmpty(clientId) || secret is null ? null : credentials.Issue(clientId, secret);
        if (token is null)
        {
            Log.Unauthorized(logger, request.Method, request.Path, request.HttpContext.Connection.RemoteIpAddress?.ToString(), $"unknown client '{clientId}' or wrong secret");
            return RestError.OAuth(StatusCodes.Status401Unauthorized, "invalid_client", "unknown client_id or wrong client_secret");
        }

        Log.TokenIssued(logger, clientId!, (int)credentials.TokenLifetime.TotalSeconds);
        return Json(new JsonObject
        {
            ["access_token"] = token,
            ["token_type"] = "bearer",
            ["expires_in"] = (int)credentials.TokenLifetime.TotalSeconds,
            ["issued_token_type"] = "urn:ietf:params:oauth:token-type:access_token",
        });
    }

    private async Task<IResult> ListNamespacesAsync(HttpRequest request, string? prefix, string? parent, string? pageToken, int? pageSize, CancellationToken cancellationToken)
    {
        if (WrongPrefix(prefix) is { } wrong) { return wrong; }
        var parentLevels = string.IsNullOrEmpty(parent) ? [] : Levels(parent);
        if (parentLevels.Length > 0 && !await reader.NamespaceExistsAsync(parentLevels, cancellationToken))
        {
            return RestError.NoSuchNamespace(parentLevels);
        }

        var children = await reader.ChildNamespacesAsync(parentLevels, cancellationToken);
        var (page, next) = Page(children, n => string.Join(NamespaceSeparator, n), request, pageToken, pageSize);
        return Json(new JsonObject
        {
            ["namespaces"] = new JsonArray([.. page.Select(n => (JsonNode)new JsonArray([.. n.Select(level => (JsonNode)level)]))]),
            ["next-page-token"] = next,
        });
    }

    private async Task<IResult> LoadNamespaceAsync(string? prefix, string @namespace, CancellationToken cancellationToken)
    {
        if (WrongPrefix(prefix) is { } wrong) { return wrong; }
        var ns = Levels(@namespace);
        if (!await reader.NamespaceExistsAsync(ns, cancellationToken)) { return RestError.NoSuchNamespace(ns); }
        var properties = new JsonObject();
        foreach (var (key, value) in await reader.NamespacePropertiesAsync(ns, cancellationToken)) { properties[key] = value; }
        return Json(new JsonObject { ["namespace"] = new JsonArray([.. ns.Select(level => (JsonNode)level)]), ["properties"] = properties });
    }

    private async Task<IResult> NamespaceExistsAsync(string? prefix, string @namespace, CancellationToken cancellationToken)
    {
        if (WrongPrefix(prefix) is { } wrong) { return wrong; }
        return await reader.NamespaceExistsAsync(Levels(@namespace), cancellationToken) ? Results.NoContent() : Results.NotFound();
    }

    private async Task<IResult> ListTablesAsync(HttpRequest request, string? prefix, string @namespace, string? pageToken, int? pageSize, CancellationToken cancellationToken)
    {
        if (WrongPrefix(prefix) is { } wrong) { return wrong; }
        var ns = Levels(@namespace);
        if (!await reader.NamespaceExistsAsync(ns, cancellationToken)) { return RestError.NoSuchNamespace(ns); }
        var (page, next) = Page(await reader.TablesAsync(ns, cancellationToken), t => t, request, pageToken, pageSize);
        return Json(Identifiers(ns, page, next));
    }

    private async Task<IResult> LoadTableAsync(HttpRequest request, HttpResponse response, string? prefix, string @namespace, string table, string? snapshots, CancellationToken cancellationToken)
    {
        if (WrongPrefix(prefix) is { } wrong) { return wrong; }
        if (snapshots is not null and not "all" and not "refs")
        {
            return RestError.BadRequest($"snapshots must be 'all' or 'refs', not '{snapshots}'");
        }

        var ns = Levels(@namespace);
        var loaded = await reader.LoadTableAsync(ns, table, cancellationToken);
        if (loaded is null) { return RestError.NoSuchTable(ns, table); }

        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{loaded.MetadataLocation}|{snapshots ?? "all"}")))}\"";
        response.Headers.ETag = etag;
        if (request.Headers.IfNoneMatch.Contains(etag)) { return Results.StatusCode(StatusCodes.Status304NotModified); }

        var metadata = JsonNode.Parse(loaded.MetadataJson)!.AsObject();
        if (snapshots == "refs") { KeepReferencedSnapshots(metadata); }

        var config = new JsonObject();
        foreach (var (key, value) in StorageConfig()) { config[key] = value; }
        var result = new JsonObject();
        if (!ReadsMetadataLocationWrong(request)) { result["metadata-location"] = loaded.MetadataLocation; }
        result["metadata"] = metadata;
        result["config"] = config;
        if (WantsVendedCredentials(request) && VendedCredentials($"{string.Join('.', ns)}.{table}") is { } vended)
        {
            Log.CredentialsVended(logger, $"{string.Join('.', ns)}.{table}", request.HttpContext.Connection.RemoteIpAddress?.ToString());
            foreach (var (key, value) in vended) { config[key] = value; }
            result["storage-credentials"] = StorageCredentials(metadata["location"]?.GetValue<string>() ?? reader.WarehouseUri, vended);
        }

        return Json(result);
    }

    private async Task<IResult> TableExistsAsync(string? prefix, string @namespace, string table, CancellationToken cancellationToken)
    {
        if (WrongPrefix(prefix) is { } wrong) { return wrong; }
        return await reader.TableExistsAsync(Levels(@namespace), table, cancellationToken) ? Results.NoContent() : Results.NotFound();
    }

    private async Task<IResult> LoadCredentialsAsync(HttpRequest request, string? prefix, string @namespace, string table, CancellationToken cancellationToken)
    {
        if (WrongPrefix(prefix) is { } wrong) { return wrong; }
        var ns = Levels(@namespace);
        var loaded = await reader.LoadTableAsync(ns, table, cancellationToken);
        if (loaded is null) { return RestError.NoSuchTable(ns, table); }
        if (!options.VendedCredentials.Enabled)
        {
            return RestError.Error(StatusCodes.Status403Forbidden, "ForbiddenException",
                "this catalog vends no storage credentials (Modules:Catalog:VendedCredentials:Enabled is false); configure the reader with its own keys");
        }

        var name = $"{string.Join('.', ns)}.{table}";
        var vended = VendedCredentials(name);
        if (vended is null) { return Json(new JsonObject { ["storage-credentials"] = new JsonArray() }); }
        Log.CredentialsVended(logger, name, request.HttpContext.Connection.RemoteIpAddress?.ToString());
        var location = JsonNode.Parse(loaded.MetadataJson)?["location"]?.GetValue<string>() ?? reader.WarehouseUri;
        return Json(new JsonObject { ["storage-credentials"] = StorageCredentials(location, vended) });
    }

    /// <summary>Scan and commit reports from clients are accepted, as the spec asks, and not kept.</summary>
    private async Task<IResult> ReportMetricsAsync(string? prefix, string @namespace, string table, CancellationToken cancellationToken)
    {
        if (WrongPrefix(prefix) is { } wrong) { return wrong; }
        var ns = Levels(@namespace);
        return await reader.TableExistsAsync(ns, table, cancellationToken) ? Results.NoContent() : RestError.NoSuchTable(ns, table);
    }

    /// <summary>K2 keeps no views: every namespace lists none.</summary>
    private async Task<IResult> ListViewsAsync(string? prefix, string @namespace, CancellationToken cancellationToken)
    {
        if (WrongPrefix(prefix) is { } wrong) { return wrong; }
        var ns = Levels(@namespace);
        return await reader.NamespaceExistsAsync(ns, cancellationToken) ? Json(Identifiers(ns, [], null)) : RestError.NoSuchNamespace(ns);
    }

    private IResult LoadViewAsync(string? prefix, string @namespace, string view) =>
        WrongPrefix(prefix) ?? RestError.NoSuchView(Levels(@namespace), view);

    private IResult? WrongPrefix(string? prefix) => prefix is null || prefix == Prefix
        ? null
        : RestError.Error(StatusCodes.Status404NotFound, "NoSuchWarehouseException", $"unknown prefix '{prefix}'; GET /v1/config gives this catalog's prefix, '{Prefix}'");

    /// <summary>A namespace path parameter: levels separated by 0x1F (the spec's default separator).</summary>
    private static string[] Levels(string encoded) => encoded.Split(NamespaceSeparator);

    /// <summary>
    /// Pagination as the spec describes it: without <c>pageToken</c> everything in one response with a null next token;
    /// with one (empty for the first page), pages of <c>pageSize</c> items and an opaque token naming the last item.
    /// </summary>
    private static (IReadOnlyList<T> Page, string? Next) Page<T>(IReadOnlyList<T> items, Func<T, string> key, HttpRequest request, string? pageToken, int? pageSize)
    {
        if (!request.Query.ContainsKey("pageToken")) { return (items, null); }
        var after = string.IsNullOrEmpty(pageToken) ? null : Encoding.UTF8.GetString(Convert.FromBase64String(pageToken));
        var size = pageSize is > 0 ? pageSize.Value : DefaultPageSize;
        var remaining = items.Where(i => after is null || string.CompareOrdinal(key(i), after) > 0).ToList();
        var page = remaining.Take(size).ToList();
        return (page, remaining.Count > size ? Convert.ToBase64String(Encoding.UTF8.GetBytes(key(page[^1]))) : null);
    }

    private static JsonObject Identifiers(string[] ns, IReadOnlyList<string> names, string? next) => new()
    {
        ["identifiers"] = new JsonArray([.. names.Select(name => (JsonNode)new JsonObject
        {
            ["namespace"] = new JsonArray([.. ns.Select(level => (JsonNode)level)]),
            ["name"] = name,
        })]),
        ["next-page-token"] = next,
    };

    /// <summary>Keeps only the snapshots a branch or tag points at (<c>snapshots=refs</c>).</summary>
    private static void KeepReferencedSnapshots(JsonObject metadata)
    {
        var referenced = new HashSet<long>();
        if (metadata["refs"] is JsonObject refs)
        {
            foreach (var (_, reference) in refs)
            {
                if (reference?["snapshot-id"] is { } id) { referenced.Add(id.GetValue<long>()); }
            }
        }

        if (metadata["current-snapshot-id"] is { } current && current.GetValue<long>() >= 0) { referenced.Add(current.GetValue<long>()); }
        if (metadata["snapshots"] is JsonArray snapshots)
        {
            metadata["snapshots"] = new JsonArray([.. snapshots.Where(s => referenced.Contains(s!["snapshot-id"]!.GetValue<long>())).Select(s => s!.DeepClone())]);
        }
    }

    /// <summary>What a client needs to reach an S3 warehouse, nothing secret: endpoint, path-style addressing, region.</summary>
    private IEnumerable<KeyValuePair<string, string>> StorageConfig()
    {
        if (!reader.WarehouseUri.StartsWith("s3://", StringComparison.Ordinal)) { yield break; }
        var endpoint = options.ClientS3Endpoint.Length > 0 ? options.ClientS3Endpoint : iceberg.S3.Endpoint;
        if (endpoint.Length > 0) { yield return new("s3.endpoint", endpoint); }
        yield return new("s3.path-style-access", iceberg.S3.PathStyle ? "true" : "false");
        yield return new("client.region", iceberg.S3.Region);
    }

    /// <summary>
    /// ClickHouse's REST-catalog client (checked with 26.7) joins an absolute <c>metadata-location</c> to the table's path
    /// once a storage endpoint is set (<c>storage_endpoint</c>, as for MinIO), and then reads a file that does not exist.
    /// Without the field it reads the newest metadata file of the table, which K2 keeps equal to the committed one (start-up
    /// removes files an interrupted commit left), so ClickHouse is answered without it.
    /// </summary>
    private static bool ReadsMetadataLocationWrong(HttpRequest request) =>
        request.Headers.UserAgent.ToString().StartsWith("ClickHouse", StringComparison.OrdinalIgnoreCase);

    private bool WantsVendedCredentials(HttpRequest request) =>
        options.VendedCredentials.Enabled
        && request.Headers["X-Iceberg-Access-Delegation"].ToString().Contains("vended-credentials", StringComparison.OrdinalIgnoreCase);

    /// <summary>The keys to vend, from their environment variables at the time of the request; null when unset.</summary>
    private Dictionary<string, string>? VendedCredentials(string table)
    {
        var vend = options.VendedCredentials;
        var access = Environment.GetEnvironmentVariable(vend.AccessKeyVariable);
        var secret = Environment.GetEnvironmentVariable(vend.SecretKeyVariable);
        if (string.IsNullOrEmpty(access) || string.IsNullOrEmpty(secret))
        {
            Log.VendedCredentialsMissing(logger, table, string.IsNullOrEmpty(access) ? vend.AccessKeyVariable : vend.SecretKeyVariable);
            return null;
        }

        var keys = new Dictionary<string, string> { ["s3.access-key-id"] = access, ["s3.secret-access-key"] = secret };
        var session = vend.SessionTokenVariable.Length > 0 ? Environment.GetEnvironmentVariable(vend.SessionTokenVariable) : null;
        if (!string.IsNullOrEmpty(session)) { keys["s3.session-token"] = session; }
        return keys;
    }

    private JsonArray StorageCredentials(string location, IReadOnlyDictionary<string, string> keys)
    {
        var config = new JsonObject();
        foreach (var (key, value) in StorageConfig().Concat(keys)) { config[key] = value; }
        return [new JsonObject { ["prefix"] = location, ["config"] = config }];
    }

    private static IResult Json(JsonObject body) => Results.Text(body.ToJsonString(), "application/json");
}
