using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using K2.ClickHouse.Embedded;
using K2.ClickHouse.Schema;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace K2.ClickHouse.HttpInterface;

/// <summary>
/// The subset of ClickHouse's HTTP interface that its clients use, read-only, over the embedded engine:
/// <c>GET/POST /?query=…</c> (the query in the URL, the body, or both joined by a newline), <c>database</c>,
/// <c>default_format</c> / <c>X-ClickHouse-Format</c>, <c>query_id</c>, settings and <c>param_*</c> as URL parameters,
/// credentials as <c>X-ClickHouse-User</c>/<c>X-ClickHouse-Key</c>, HTTP basic auth or <c>user</c>/<c>password</c>,
/// <c>/ping</c>, gzip responses for <c>enable_http_compression=1</c>, and ClickHouse's response headers and error text.
/// Every statement runs with <c>readonly = 1</c>, a time limit and a result-size limit. Row formats stream as the engine
/// produces them; formats with a header or footer (Parquet, JSON, …WithNames) are answered whole. The engine is one connection
/// shared with the daemon: a query holds it from its first statement to the end of its response, and waits for it at most
/// the time limit.
/// </summary>
internal sealed partial class ClickHouseHttpInterface(
    ChDbEngine engine, ClickHouseHttpInterfaceOptions options, string defaultDatabase, ColdTableMirror? coldTables, ILogger<ClickHouseHttpInterface> logger)
{
    private const int ChunkBytes = 64 * 1024;
    private static readonly string Version = ChDbEngine.LibraryVersion ?? "chDB";
    private string? _timezone;

    private string Password => Environment.GetEnvironmentVariable(options.PasswordVariable) ?? "";

    public void Map(WebApplication app)
    {
        app.MapMethods("/ping", ["GET", "HEAD"], () => Results.Text("Ok.\n", "text/html; charset=UTF-8"));
        app.MapMethods("/", ["GET", "POST", "HEAD"], HandleAsync);
        app.MapFallback((HttpRequest request) => Results.Text($"There is no handle {request.Path}\n\nUse / or /ping for health checks.\n", "text/plain; charset=UTF-8", statusCode: 404));
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var queryId = FirstOf(request.Query["query_id"], request.Headers["X-ClickHouse-Query-Id"]) ?? Guid.NewGuid().ToString();
        response.Headers["X-ClickHouse-Query-Id"] = queryId;
        response.Headers["X-ClickHouse-Server-Display-Name"] = "k2";
        try
        {
            var text = await QueryTextAsync(request);
            if (text.Length == 0 && !HttpMethods.IsPost(request.Method))
            {
                await Results.Text("Ok.\n", "text/html; charset=UTF-8").ExecuteAsync(context);
                return;
            }

            Authenticate(request);
            if (text.Length == 0) { throw new ClickHouseHttpError(ClickHouseHttpError.SyntaxError, "SYNTAX_ERROR", "Empty query"); }

            if (request.Query.ContainsKey("session_id"))
            {
                throw new ClickHouseHttpError(ClickHouseHttpError.NotImplemented, "NOT_IMPLEMENTED", "Sessions are not supported by K2's embedded HTTP interface; send each query on its own");
            }

            var settings = QuerySettings.From(request.Query, options);
            var database = FirstOf(request.Query["database"]) ?? defaultDatabase;
            if (!Regex.IsMatch(database, SqlIdentifier.Pattern))
            {
                throw new ClickHouseHttpError(ClickHouseHttpError.UnknownDatabase, "UNKNOWN_DATABASE", $"Database {database} does not exist");
            }

            var defaultFormat = FirstOf(request.Query["default_format"], request.Headers["X-ClickHouse-Format"]) ?? "TabSeparated";
            var mirror = coldTables is null ? [] : await coldTables.PendingAsync(context.RequestAborted);
            using var lease = await engine.TryAcquireAsync(TimeSpan.FromSeconds(options.MaxExecutionSeconds), context.RequestAborted)
                ?? throw new ClickHouseHttpError(ClickHouseHttpError.TimeoutExceeded, "TIMEOUT_EXCEEDED",
                    $"Timeout exceeded: the embedded engine stayed busy for {options.MaxExecutionSeconds} s");
            coldTables?.Apply(lease, mirror);
            var statement = Check(lease, text);
            var format = statement.Format ?? defaultFormat;
            _timezone ??= Encoding.UTF8.GetString(lease.Query("SELECT timezone()", "RawBLOB"));
            var previousDatabase = Encoding.UTF8.GetString(lease.Query("SELECT currentDatabase()", "RawBLOB"));
            lease.Query($"USE `{database}`");
            try
            {
                var sql = statement.WithSettings(settings.Settings);
                var buffered = settings.Parameters.Count > 0 || FirstOf(request.Query["wait_end_of_query"]) == "1" || !ConcatenatesChunks(format);
                if (buffered) { await RespondWholeAsync(context, lease, sql, format, settings.Parameters); }
                else { await RespondStreamingAsync(context, lease, sql, format, queryId); }
            }
            finally
            {
                lease.Query($"USE `{previousDatabase}`");
            }
        }
        catch (ClickHouseHttpError error)
        {
            await FailAsync(context, queryId, error.Code, error.Body);
        }
        catch (ChDbException error)
        {
            await FailAsync(context, queryId, error.Code, ClickHouseHttpError.EngineBody(error));
        }
    }

    private void Authenticate(HttpRequest request)
    {
        string user, password;
        var headerUser = FirstOf(request.Headers["X-ClickHouse-User"]);
        var headerKey = FirstOf(request.Headers["X-ClickHouse-Key"]);
        var authorization = request.Headers.Authorization.ToString();
        if (headerUser is not null || headerKey is not null)
        {
            (user, password) = (headerUser ?? "default", headerKey ?? "");
        }
        else if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            (user, password) = colon < 0 ? (pair, "") : (pair[..colon], pair[(colon + 1)..]);
        }
        else
        {
            (user, password) = (FirstOf(request.Query["user"]) ?? "default", FirstOf(request.Query["password"]) ?? "");
        }

        var expected = Encoding.UTF8.GetBytes(Password);
        var given = Encoding.UTF8.GetBytes(password);
        var userMatches = string.Equals(user, options.Username, StringComparison.Ordinal);
        if (!(CryptographicOperations.FixedTimeEquals(SHA256.HashData(expected), SHA256.HashData(given)) & userMatches))
        {
            Log.HttpInterfaceAuthenticationFailed(logger, user, request.HttpContext.Connection.RemoteIpAddress?.ToString());
            throw new ClickHouseHttpError(ClickHouseHttpError.AuthenticationFailed, "AUTHENTICATION_FAILED",
                $"{user}: Authentication failed: password is incorrect, or there is no user with such name");
        }
    }

    /// <summary>
    /// The URL's <c>query</c> followed by the body (for POST), joined by a newline, as ClickHouse reads them; a body sent
    /// compressed (<c>Content-Encoding</c> gzip, deflate or br, as ClickHouse.Driver sends it) is decompressed first.
    /// </summary>
    private static async Task<string> QueryTextAsync(HttpRequest request)
    {
        var fromUrl = request.Query["query"].ToString();
        if (!HttpMethods.IsPost(request.Method)) { return fromUrl.Trim(); }
        var encoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        Stream body = encoding switch
        {
            "" or "identity" => request.Body,
            "gzip" => new GZipStream(request.Body, CompressionMode.Decompress),
            "deflate" => new ZLibStream(request.Body, CompressionMode.Decompress),
            "br" => new BrotliStream(request.Body, CompressionMode.Decompress),
            _ => throw new ClickHouseHttpError(ClickHouseHttpError.NotImplemented, "NOT_IMPLEMENTED", $"Content-Encoding '{encoding}' is not supported here; use gzip, deflate or br"),
        };
        using var reader = new StreamReader(body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        return (fromUrl.Length > 0 && text.Length > 0 ? $"{fromUrl}\n{text}" : fromUrl + text).Trim();
    }

    /// <summary>ClickHouse renders the statement (refusing several at once), then the read-only rules apply to that rendering.</summary>
    private static ReadOnlyStatement Check(ChDbEngine.ChDbLease lease, string text)
    {
        var escaped = text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        var formatted = Encoding.UTF8.GetString(lease.Query("SELECT formatQuery({statement:String})", "RawBLOB", new Dictionary<string, string> { ["statement"] = escaped }));
        return ReadOnlyStatement.Check(formatted);
    }

    private async Task RespondWholeAsync(HttpContext context, ChDbEngine.ChDbLease lease, string sql, string format, IReadOnlyDictionary<string, string> parameters)
    {
        var result = lease.QueryWithStatistics(sql, format, parameters);
        if (result.Output.LongLength > options.MaxResultBytes) { throw ResultTooLarge(result.Output.LongLength); }
        SetResultHeaders(context.Response, format, Summary(result.RowsRead, result.BytesRead, result.ElapsedSeconds, result.Output.LongLength));
        var body = ResponseBody(context);
        await body.WriteAsync(result.Output, context.RequestAborted);
        await FinishAsync(body);
    }

    /// <summary>
    /// Streams the result chunk by chunk. The first chunk is read before anything is sent, so an error at the start of the
    /// query still gets its HTTP status; a later error (or the size limit) ends the body with ClickHouse's error text and the
    /// connection is cut, as a ClickHouse server does, so no client takes a cut result for a whole one.
    /// </summary>
    private async Task RespondStreamingAsync(HttpContext context, ChDbEngine.ChDbLease lease, string sql, string format, string queryId)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(TimeSpan.FromSeconds(options.MaxExecutionSeconds + 5));
        using var result = lease.Stream(sql, format);
        var buffer = new byte[ChunkBytes];
        var read = result.Read(buffer);
        SetResultHeaders(context.Response, format, Summary(0, 0, 0, 0));
        long sent = 0;
        var body = ResponseBody(context);
        try
        {
            while (read > 0)
            {
                sent += read;
                if (sent > options.MaxResultBytes) { throw ResultTooLarge(sent); }
                await body.WriteAsync(buffer.AsMemory(0, read), deadline.Token);
                read = result.Read(buffer);
            }

            await FinishAsync(body);
        }
        catch (Exception ex) when (ex is ChDbException or ClickHouseHttpError or OperationCanceledException)
        {
            var text = ex switch
            {
                ChDbException engineError => ClickHouseHttpError.EngineBody(engineError),
                ClickHouseHttpError limit => limit.Body,
                _ => $"Code: {ClickHouseHttpError.TimeoutExceeded}. DB::Exception: Timeout exceeded: the response took longer than {options.MaxExecutionSeconds} s. (TIMEOUT_EXCEEDED)\n",
            };
            Log.HttpInterfaceResponseCut(logger, queryId, text.TrimEnd());
            if (!context.RequestAborted.IsCancellationRequested)
            {
                await body.WriteAsync(Encoding.UTF8.GetBytes("\n" + text), CancellationToken.None);
                await body.FlushAsync(CancellationToken.None);
            }

            context.Abort();
        }
    }

    private ClickHouseHttpError ResultTooLarge(long bytes) => new(ClickHouseHttpError.TooManyRowsOrBytes, "TOO_MANY_ROWS_OR_BYTES",
        string.Create(CultureInfo.InvariantCulture, $"Limit for result exceeded, max bytes: {options.MaxResultBytes}, current bytes: {bytes}"));

    /// <summary>The response body, gzip-compressed when the client asked for it (<c>enable_http_compression=1</c> and <c>Accept-Encoding: gzip</c>).</summary>
    private static Stream ResponseBody(HttpContext context)
    {
        var compress = FirstOf(context.Request.Query["enable_http_compression"]) == "1"
            && context.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        if (!compress) { return context.Response.Body; }
        context.Response.Headers.ContentEncoding = "gzip";
        return new GZipStream(context.Response.Body, CompressionLevel.Fastest, leaveOpen: true);
    }

    /// <summary>Writes the gzip trailer when the body is compressed; the server ends the response itself.</summary>
    private static async Task FinishAsync(Stream body)
    {
        if (body is GZipStream gzip) { await gzip.DisposeAsync(); }
    }

    private void SetResultHeaders(HttpResponse response, string format, string summary)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType(format);
        response.Headers["X-ClickHouse-Format"] = format;
        response.Headers["X-ClickHouse-Timezone"] = _timezone;
        response.Headers["X-ClickHouse-Summary"] = summary;
    }

    private async Task FailAsync(HttpContext context, string queryId, int code, string body)
    {
        Log.HttpInterfaceQueryFailed(logger, queryId, context.Connection.RemoteIpAddress?.ToString(), code);
        if (context.Response.HasStarted) { context.Abort(); return; }
        var response = context.Response;
        response.StatusCode = ClickHouseHttpError.HttpStatus(code);
        response.ContentType = "text/plain; charset=UTF-8";
        response.Headers["X-ClickHouse-Exception-Code"] = code.ToString(CultureInfo.InvariantCulture);
        response.Headers.Remove("Content-Encoding");
        await response.WriteAsync(body.Contains("(version ", StringComparison.Ordinal) ? body : body.TrimEnd('\n') + $" (version {Version})\n");
    }

    /// <summary>The counters of <c>X-ClickHouse-Summary</c>, numbers as strings as ClickHouse writes them.</summary>
    private static string Summary(ulong readRows, ulong readBytes, double elapsedSeconds, long resultBytes) => new JsonObject
    {
        ["read_rows"] = readRows.ToString(CultureInfo.InvariantCulture),
        ["read_bytes"] = readBytes.ToString(CultureInfo.InvariantCulture),
        ["written_rows"] = "0",
        ["written_bytes"] = "0",
        ["total_rows_to_read"] = readRows.ToString(CultureInfo.InvariantCulture),
        ["result_rows"] = "0",
        ["result_bytes"] = resultBytes.ToString(CultureInfo.InvariantCulture),
        ["elapsed_ns"] = ((long)(elapsedSeconds * 1e9)).ToString(CultureInfo.InvariantCulture),
    }.ToJsonString();

    /// <summary>
    /// Formats whose output is the plain concatenation of the outputs of its blocks. The engine's streaming API writes every
    /// chunk as a whole output of the format (measured with chDB 26.7: a streamed CSVWithNames repeated its header per chunk,
    /// Parquet came as five files one after another), so only these are streamed; the others are answered whole.
    /// </summary>
    private static readonly HashSet<string> ChunkConcatenatingFormats = new(StringComparer.OrdinalIgnoreCase)
    {
        "TabSeparated", "TSV", "TabSeparatedRaw", "TSVRaw", "CSV", "JSONEachRow", "JSONLines", "NDJSON", "JSONCompactEachRow",
        "JSONStringsEachRow", "JSONCompactStringsEachRow", "RowBinary", "Native",
    };

    private static bool ConcatenatesChunks(string format) => ChunkConcatenatingFormats.Contains(format);

    /// <summary>The Content-Type ClickHouse gives a format's output.</summary>
    internal static string ContentType(string format) => format switch
    {
        _ when format.StartsWith("TabSeparated", StringComparison.OrdinalIgnoreCase) || format.StartsWith("TSV", StringComparison.OrdinalIgnoreCase)
            => "text/tab-separated-values; charset=UTF-8",
        _ when format.StartsWith("CSV", StringComparison.OrdinalIgnoreCase)
            => format.Contains("WithNames", StringComparison.OrdinalIgnoreCase) ? "text/csv; charset=UTF-8; header=present" : "text/csv; charset=UTF-8; header=absent",
        _ when format.StartsWith("JSON", StringComparison.OrdinalIgnoreCase) => "application/json; charset=UTF-8",
        _ when format.StartsWith("Pretty", StringComparison.OrdinalIgnoreCase) || format is "Vertical" or "Markdown" or "Values" or "Raw" or "LineAsString"
            => "text/plain; charset=UTF-8",
        "XML" => "application/xml; charset=UTF-8",
        _ => "application/octet-stream",
    };

    private static string? FirstOf(params Microsoft.Extensions.Primitives.StringValues[] candidates) =>
        candidates.Select(c => c.ToString()).FirstOrDefault(c => c.Length > 0);
}
