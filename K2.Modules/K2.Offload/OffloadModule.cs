using K2.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Offload;

public static class OffloadModule
{
    /// <summary><c>Modules:Offload:Enabled</c>.</summary>
    public static IServiceCollection AddOffload(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<OffloadOptions>(configuration, OffloadOptions.SectionName);
        if (!options.Enabled) { return services; }

        return services;
    }
}
