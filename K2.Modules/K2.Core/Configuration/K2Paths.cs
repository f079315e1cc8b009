using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace K2.Core.Configuration;

/// <summary>Where K2 keeps local state in embedded mode (<c>Storage</c> section).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Data folder for embedded ClickHouse, the spool, the SQLite catalog and the local warehouse. Default <c>data</c>, relative to the content root.</summary>
    public string DataDir { get; set; } = "data";
}

public static class K2Paths
{
    /// <summary>The content root the daemon was started with (where appsettings.json and instruments.yaml live).</summary>
    public static string ContentRoot(IConfiguration configuration) =>
        configuration[HostDefaults.ContentRootKey] ?? Directory.GetCurrentDirectory();

    /// <summary>Resolves <paramref name="path"/> against the content root unless it is absolute.</summary>
    public static string Resolve(IConfiguration configuration, string path) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(ContentRoot(configuration), path));

    /// <summary>The absolute data folder (<c>Storage:DataDir</c>).</summary>
    public static string DataDir(IConfiguration configuration) =>
        Resolve(configuration, configuration.GetSection(StorageOptions.SectionName)[nameof(StorageOptions.DataDir)] ?? "data");

    /// <summary>A path under the data folder unless <paramref name="configured"/> is set.</summary>
    public static string UnderDataDir(IConfiguration configuration, string? configured, string defaultRelative) =>
        string.IsNullOrWhiteSpace(configured) ? Path.Combine(DataDir(configuration), defaultRelative) : Resolve(configuration, configured);
}
