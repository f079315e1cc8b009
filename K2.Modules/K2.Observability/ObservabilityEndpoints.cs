using System.Text.Json;
using K2.Core.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace K2.Observability;

/// <summary>Maps /metrics (Prometheus text), /healthz (process alive) and /readyz (every enabled module ready).</summary>
internal sealed class ObservabilityEndpoints : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapMetrics("/metrics");
            endpoints.MapGet("/healthz", () => Results.Text("ok\n"));
            endpoints.MapGet("/readyz", (HttpContext context) =>
            {
                var checks = context.RequestServices.GetServices<IReadinessCheck>()
                    .Select(check => (check.Name, Result: Evaluate(check)))
                    .ToArray();
                var ready = checks.All(c => c.Result.IsReady);
                var body = new Dictionary<string, object>
                {
                    ["status"] = ready ? "ready" : "not_ready",
                    ["checks"] = checks.ToDictionary(c => c.Name, c => new { ready = c.Result.IsReady, detail = c.Result.Detail }),
                };
                return Results.Json(body, JsonOptions, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
            });
            endpoints.MapGet("/status", (HttpContext context) =>
            {
                var sections = context.RequestServices.GetServices<IStatusContributor>()
                    .OrderBy(c => c.Order)
                    .Select(Snapshot)
                    .ToArray();
                return Results.Json(new StatusDocument(DateTimeOffset.UtcNow, sections), JsonOptions);
            });
        });
        next(app);
    };

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private static StatusSection Snapshot(IStatusContributor contributor)
    {
        try
        {
            return contributor.Snapshot();
        }
        catch (Exception ex)
        {
            return new StatusSection(contributor.GetType().Name, ["error"], [[ex.Message]], []);
        }
    }

    private static ReadinessResult Evaluate(IReadinessCheck check)
    {
        try
        {
            return check.Check();
        }
        catch (Exception ex)
        {
            return ReadinessResult.NotReady($"check failed: {ex.Message}");
        }
    }
}
