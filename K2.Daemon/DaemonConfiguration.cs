using K2.Core.Configuration;
using K2.Instruments;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace K2.Daemon;

/// <summary>
/// The one configuration tree: appsettings.json, appsettings.{Environment}.json, then environment
/// variables <c>K2__Section__Key</c>, then overrides from the command line's verbs.
/// </summary>
internal static class DaemonConfiguration
{
    /// <summary>
    /// The folder holding appsettings.json and instruments.yaml: <c>K2_HOME</c> when set, else the
    /// current folder when it has an appsettings.json, else the folder of the k2 binaries.
    /// </summary>
    public static string ContentRoot()
    {
        var home = Environment.GetEnvironmentVariable("K2_HOME");
        if (!string.IsNullOrWhiteSpace(home)) { return Path.GetFullPath(home); }
        var current = Directory.GetCurrentDirectory();
        return File.Exists(Path.Combine(current, "appsettings.json")) ? current : AppContext.BaseDirectory;
    }

    /// <summary>
    /// A problem line when <c>K2_HOME</c> names a folder without appsettings.json: that is a broken deployment (a
    /// systemd install missing /etc/k2/appsettings.json, a mount that failed), and running on the embedded defaults
    /// instead would look healthy while writing nowhere the operator expects.
    /// </summary>
    public static string? HomeProblem()
    {
        var home = Environment.GetEnvironmentVariable("K2_HOME");
        if (string.IsNullOrWhiteSpace(home)) { return null; }
        var settings = Path.Combine(Path.GetFullPath(home), "appsettings.json");
        return File.Exists(settings)
            ? null
            : $"K2_HOME={home}: {settings} does not exist; with K2_HOME set the configuration must be there (K2 does not fall back to embedded defaults). Install it or unset K2_HOME.";
    }

    public static string EnvironmentName() =>
        Environment.GetEnvironmentVariable("K2_ENVIRONMENT")
        ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
        ?? Environments.Production;

    /// <summary>Adds K2's sources to <paramref name="builder"/> in precedence order.</summary>
    public static void AddK2Sources(IConfigurationBuilder builder, string contentRoot, string environment, IReadOnlyDictionary<string, string?>? overrides)
    {
        builder.Sources.Clear();
        builder.AddInMemoryCollection(new Dictionary<string, string?> { [HostDefaults.ContentRootKey] = contentRoot, [HostDefaults.EnvironmentKey] = environment });
        builder.AddJsonFile(Path.Combine(contentRoot, "appsettings.json"), optional: true, reloadOnChange: false);
        builder.AddJsonFile(Path.Combine(contentRoot, $"appsettings.{environment}.json"), optional: true, reloadOnChange: false);
        builder.AddEnvironmentVariables("K2__");
        if (overrides is not null) { builder.AddInMemoryCollection(overrides); }
    }

    /// <summary>A standalone configuration for verbs that do not start the daemon.</summary>
    public static IConfiguration Build(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder();
        AddK2Sources(builder, ContentRoot(), EnvironmentName(), overrides);
        return builder.Build();
    }

    /// <summary>The configured instruments file, parsed; null with the problems (file:line) when it is invalid.</summary>
    public static InstrumentSet? LoadInstruments(IConfiguration configuration, out string path, out IReadOnlyList<string> problems)
    {
        path = K2Paths.Resolve(configuration, configuration[$"{InstrumentsOptions.SectionName}:Path"] ?? "instruments.yaml");
        try
        {
            problems = [];
            return InstrumentsFileParser.ParseFile(path);
        }
        catch (InstrumentsFileException ex)
        {
            problems = ex.Problems;
            return null;
        }
    }
}
