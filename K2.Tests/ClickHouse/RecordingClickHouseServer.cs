using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using K2.ClickHouse.Embedded;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.HttpInterface;
using K2.Core.Http;
using K2.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Tests.ClickHouse;

/// <summary>
/// ClickHouse's HTTP protocol as ClickHouse.Driver speaks it (the statement in the URL, the body or both, <c>param_*</c>
/// values, gzip bodies), writable, over the test process's embedded engine, recording every statement it ran. No
/// ClickHouse server runs on this machine and K2's own HTTP interface is read-only, so this is what lets
/// <see cref="HttpClickHouseGateway"/> drive a real engine (DDL, inserts, exports) in tests.
/// </summary>
internal sealed class RecordingClickHouseServer : IAsyncDisposable
{
    private readonly ModuleListener _listener;
    private readonly ConcurrentQueue<string> _statements = new();

    private RecordingClickHouseServer(ModuleListener listener) => _listener = listener;

    /// <summary>Every statement received, in arrival order.</summary>
    public IReadOnlyList<string> Statements => [.. _statements];

    public static async Task<RecordingClickHouseServer> StartAsync()
    {
        RecordingClickHouseServer? server = null;
        ListenAddress.TryParse("127.0.0.1:0", out var endpoint);
        var listener = new ModuleListener("clickhouse-recording", endpoint, app => app.MapMethods("/", ["GET", "POST"], (HttpContext context) => server!.HandleAsync(context)),
            NullLoggerFactory.Instance);
        server = new RecordingClickHouseServer(listener);
        await listener.StartAsync(CancellationToken.None);
        return server;
    }

    /// <summary>A gateway to this server, keeping export scratch tables in <paramref name="database"/>.</summary>
    public HttpClickHouseGateway Gateway(string database) =>
        HttpClickHouseGateway.Create(_listener.Address!.ToString(), "default", null, TimeSpan.FromMinutes(5), database);

    private async Task HandleAsync(HttpContext context)
    {
        var sql = await StatementAsync(context.Request);
        _statements.Enqueue(sql);
        var parameters = context.Request.Query.Where(p => p.Key.StartsWith("param_", StringComparison.Ordinal))
            .ToDictionary(p => p.Key["param_".Length..], p => p.Value.ToString(), StringComparer.Ordinal);
        try
        {
            var output = await EmbeddedClickHouse.Engine.QueryAsync(sql, context.Request.Query["default_format"].FirstOrDefault() ?? "TabSeparated", parameters, context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status200OK;
            await context.Response.Body.WriteAsync(output, context.RequestAborted);
        }
        catch (ChDbException error)
        {
            context.Response.StatusCode = ClickHouseHttpError.HttpStatus(error.Code);
            context.Response.Headers["X-ClickHouse-Exception-Code"] = error.Code.ToString(CultureInfo.InvariantCulture);
            await context.Response.WriteAsync(ClickHouseHttpError.EngineBody(error), context.RequestAborted);
        }
    }

    private static async Task<string> StatementAsync(HttpRequest request)
    {
        var fromUrl = request.Query["query"].ToString();
        if (!HttpMethods.IsPost(request.Method)) { return fromUrl; }
        Stream body = request.Headers.ContentEncoding.ToString() switch
        {
            "gzip" => new GZipStream(request.Body, CompressionMode.Decompress),
            "deflate" => new ZLibStream(request.Body, CompressionMode.Decompress),
            "br" => new BrotliStream(request.Body, CompressionMode.Decompress),
            _ => request.Body,
        };
        using var reader = new StreamReader(body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        return fromUrl.Length > 0 && text.Length > 0 ? $"{fromUrl}\n{text}" : fromUrl + text;
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.StopAsync(CancellationToken.None);
        await _listener.DisposeAsync();
    }
}
