using K2.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Maintenance;

public static class MaintenanceModule
{
    /// <summary><c>Modules:Maintenance:Enabled</c>.</summary>
    public static IServiceCollection AddMaintenance(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<MaintenanceOptions>(configuration, MaintenanceOptions.SectionName);
        if (!options.Enabled) { return services; }

        return services;
    }
}
