using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using K2.ClickHouse.Gateway;
using K2.Instruments;
using K2.Query.Api;
using K2.Query.Live;
using K2.Query.Reading;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Query.Server;

/// <summary>
/// The query API's own HTTP server on <see cref="QueryOptions.Listen"/>, apart from the observability listener: its
/// own pipeline of CORS, API keys, rate limits and the <c>/v1</c> routes, so neither listener serves the other's paths.
/// The web console's static files are served at <c>/</c>, ahead of the key check: they hold no data, and the page asks
/// for a key when the API wants one.
/// </summary>
internal sealed class QueryServer(
    QueryOptions options, QueryContext context, IInstrumentRegistry registry, LiveTradeHub live, DaemonState state, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "k2-query", Args = [] });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.Replace(ServiceDescriptor.Singleton(loggerFactory));

        // The daemon's host owns the process lifetime (signals, start-up messages); this server starts and stops with it.
        builder.Services.Replace(ServiceDescriptor.Singleton<IHostLifetime, HostedLifetime>());
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.Endpoint);
        });
        builder.Services.AddSingleton(context);
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton(live);
        builder.Services.AddSingleton(state);
        builder.Services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi("v1", openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new() { Title = "K2 query API", Version = "v1", Description = "Trades and candles over the hot (ClickHouse) and cold (Iceberg) tiers, exactly once; a live trade stream." };
            return Task.CompletedTask;
        }));
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .WithOrigins([.. options.CorsOrigins])
            .WithMethods("GET")
            .WithHeaders(ApiKeyCheck.HeaderName, "Authorization", "Accept")
            .WithExposedHeaders(TradesEndpoint.NextCursorHeader)));
        var keys = new ApiKeyCheck(options.ApiKeys);
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var name = http.Items[ApiKeyCheck.ItemName] as string;
                var permits = options.ApiKeys.FirstOrDefault(k => k.Name == name) is { PermitsPerMinute: > 0 } key ? key.PermitsPerMinute : options.PermitsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(name ?? $"address:{http.Connection.RemoteIpAddress}", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = permits,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (rejected, token) =>
            {
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                {
                    rejected.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                await Problem(rejected.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    "this API key (or address) used its requests for this minute (Modules:Query:PermitsPerMinute); retry after Retry-After seconds").ConfigureAwait(false);
            };
        });

        var app = builder.Build();
        ConsoleFiles.Use(app, keys.Required);
        app.UseCors();
        app.Use(async (http, next) =>
        {
            if (keys.Required)
            {
                var name = keys.Match(http.Request);
                if (name is null)
                {
                    http.Response.Headers.WWWAuthenticate = "Bearer";
                    await Problem(http, StatusCodes.Status401Unauthorized, "API key required",
                        $"send a configured API key in the {ApiKeyCheck.HeaderName} header (or Authorization: Bearer)").ConfigureAwait(false);
                    return;
                }

                http.Items[ApiKeyCheck.ItemName] = name;
            }

            await next(http).ConfigureAwait(false);
        });
        app.UseRateLimiter();
        app.UseWebSockets();
        app.UseRouting();
        app.Use(MeasureAsync);
        Map(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        Log.Listening(context.Logger, options.Listen, options.ApiKeys.Count, options.CorsOrigins.Count);
    }

    private static void Map(IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi.json").WithName("openapi");
        var v1 = app.MapGroup("/v1");
        v1.MapGet("/trades", TradesEndpoint.HandleAsync).WithName("trades")
            .WithSummary("Trades of one symbol, ordered by (exchange time, exchange, trade id), paged by an opaque cursor")
            .Produces(200, contentType: "application/json", additionalContentTypes: [.. OutputFormat.All.Skip(1).Select(f => f.MediaType)])
            .ProducesProblem(400);
        v1.MapGet("/candles", CandlesEndpoint.HandleAsync).WithName("candles")
            .WithSummary("OHLCV candles of one symbol: 1m, 5m, 15m, 30m, 1h, 1d as stored, any multiple of 1m rolled up exactly")
            .Produces(200, contentType: "application/json", additionalContentTypes: [.. OutputFormat.All.Skip(1).Select(f => f.MediaType)])
            .ProducesProblem(400);
        v1.MapGet("/instruments", InstrumentsEndpoint.InstrumentsAsync).WithName("instruments")
            .WithSummary("Configured instruments and, per symbol, the time range of trades in the hot and the cold tier").ProducesProblem(400);
        v1.MapGet("/exchanges", InstrumentsEndpoint.ExchangesAsync).WithName("exchanges")
            .WithSummary("Exchanges with configured instruments and the time range of their trades per tier");
        v1.MapGet("/trades/live", LiveEndpoint.HandleAsync).WithName("live")
            .WithSummary("Trades as they are ingested, over a WebSocket or as server-sent events; with from=, stored trades first, then live without gap or duplicate")
            .Produces(200, contentType: "text/event-stream").ProducesProblem(400);
        v1.MapGet("/feeds", DaemonStateEndpoints.Feeds).WithName("feeds")
            .WithSummary("Per exchange and symbol of the ingestors in this daemon: connected, trades/s over the last minute and per 5 s, last trade, gaps")
            .ProducesProblem(400);
        v1.MapGet("/pipeline", DaemonStateEndpoints.Pipeline).WithName("pipeline")
            .WithSummary("The sections of k2 status: daemon, exchanges, Kafka, hot tier, offload, maintenance and audit")
            .ProducesProblem(400);
    }

    /// <summary>Counts and times every request by route name, and turns refused parameters and failures into problem responses.</summary>
    private async Task MeasureAsync(HttpContext http, RequestDelegate next)
    {
        var endpoint = http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "unknown";
        var clock = Stopwatch.StartNew();
        try
        {
            await next(http).ConfigureAwait(false);
        }
        catch (BadParameterException ex) when (!http.Response.HasStarted)
        {
            await Problem(http, ex.Status, "Bad parameter", ex.Detail, ex.Parameter).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nothing to answer.
        }
        catch (OperationCanceledException) when (!http.Response.HasStarted)
        {
            Log.TimedOut(context.Logger, endpoint, options.QueryTimeoutSeconds);
            await Problem(http, StatusCodes.Status504GatewayTimeout, "Query timed out",
                $"the query ran longer than {options.QueryTimeoutSeconds} s (Modules:Query:QueryTimeoutSeconds); narrow the range or lower limit").ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Log.TimedOut(context.Logger, endpoint, options.QueryTimeoutSeconds);
            http.Abort();
        }
        catch (Exception ex) when (ex is ClickHouseGatewayException or IOException or InvalidOperationException or System.Data.Common.DbException)
        {
            Log.RequestFailed(context.Logger, endpoint, ex);
            if (http.Response.HasStarted) { http.Abort(); }
            else { await Problem(http, StatusCodes.Status503ServiceUnavailable, "Storage unavailable", "the hot or cold tier could not answer; retry later").ConfigureAwait(false); }
        }
        finally
        {
            QueryMetrics.Requests.WithLabels(endpoint, http.Response.StatusCode.ToString(CultureInfo.InvariantCulture)).Inc();
            QueryMetrics.Duration.WithLabels(endpoint).Observe(clock.Elapsed.TotalSeconds);
        }
    }

    /// <summary>An <c>application/problem+json</c> answer; <paramref name="parameter"/> names the refused parameter.</summary>
    public static Task Problem(HttpContext http, int status, string title, string detail, string? parameter = null)
    {
        http.Response.StatusCode = status;
        var problem = new Dictionary<string, object?>
        {
            ["title"] = title,
            ["status"] = status,
            ["detail"] = parameter is null ? detail : $"{parameter}: {detail}",
        };
        if (parameter is not null) { problem["parameter"] = parameter; }
        return http.Response.WriteAsJsonAsync(problem, Json, "application/problem+json", http.RequestAborted);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) { await _app.StopAsync(cancellationToken).ConfigureAwait(false); }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) { await _app.DisposeAsync().ConfigureAwait(false); }
    }
}

/// <summary>The lifetime of a server run by another host: no signal handling, no start-up messages of its own.</summary>
internal sealed class HostedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
