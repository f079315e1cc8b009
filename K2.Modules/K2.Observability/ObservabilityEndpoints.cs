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
        });
        next(app);
    };

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

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
