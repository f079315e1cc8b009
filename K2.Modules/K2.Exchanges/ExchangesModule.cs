using K2.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Exchanges;

public static class ExchangesModule
{
    /// <summary><c>Modules:Exchanges:Enabled</c>.</summary>
    public static IServiceCollection AddExchanges(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<ExchangesOptions>(configuration, ExchangesOptions.SectionName);
        if (!options.Enabled) { return services; }

        return services;
    }
}
