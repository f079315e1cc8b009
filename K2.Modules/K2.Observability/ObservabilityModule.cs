using K2.Core.Configuration;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Observability;

public static class ObservabilityModule
{
    /// <summary>Serves /metrics, /healthz and /readyz on <see cref="ObservabilityOptions.Listen"/>. Always on.</summary>
    public static IServiceCollection AddObservability(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<ObservabilityOptions>(configuration, ObservabilityOptions.SectionName);
        services.AddRouting();
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.Endpoint);
        });
        services.AddSingleton<IStartupFilter, ObservabilityEndpoints>();
        return services;
    }
}
