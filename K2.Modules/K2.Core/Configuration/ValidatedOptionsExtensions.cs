using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace K2.Core.Configuration;

public static class ValidatedOptionsExtensions
{
    /// <summary>
    /// Binds <typeparamref name="T"/> from <paramref name="sectionPath"/>, records every problem in the
    /// shared <see cref="ConfigurationProblems"/>, and registers the instance as <see cref="IOptions{T}"/>
    /// and as itself. Returns the bound instance so a module can decide at registration whether it is enabled.
    /// </summary>
    public static T AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string sectionPath)
        where T : class, new()
    {
        var problems = services.GetConfigurationProblems();
        var instance = OptionsBinder.Bind<T>(configuration.GetSection(sectionPath), problems);
        services.TryAddSingleton(instance);
        services.TryAddSingleton<IOptions<T>>(Options.Create(instance));
        return instance;
    }

    /// <summary>The one <see cref="ConfigurationProblems"/> of this service collection.</summary>
    public static ConfigurationProblems GetConfigurationProblems(this IServiceCollection services)
    {
        var existing = services.FirstOrDefault(d => d.ServiceType == typeof(ConfigurationProblems))?.ImplementationInstance;
        if (existing is ConfigurationProblems problems) { return problems; }
        problems = new ConfigurationProblems();
        services.AddSingleton(problems);
        return problems;
    }
}
