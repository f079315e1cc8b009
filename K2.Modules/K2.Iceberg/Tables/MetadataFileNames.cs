using System.Globalization;
using System.Text.RegularExpressions;

namespace K2.Iceberg.Tables;

/// <summary>Metadata file names of catalog tables: <c>&lt;location&gt;/metadata/00007-&lt;uuid&gt;.metadata.json</c>.</summary>
internal static partial class MetadataFileNames
{
    public static string First(string location) => Numbered(location, 0);

    public static string Next(string location, string current) => Numbered(location, VersionOf(current) + 1);

    public static string Numbered(string location, int version) =>
        string.Create(CultureInfo.InvariantCulture, $"{location}/metadata/{version:D5}-{Guid.NewGuid()}.metadata.json");

    /// <summary>The version of a <c>NNNNN-uuid.metadata.json</c> name, or -1 for other names.</summary>
    public static int VersionOf(string uri)
    {
        var match = Pattern().Match(uri[(uri.LastIndexOf('/') + 1)..]);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    [GeneratedRegex(@"^(\d+)-[0-9a-fA-F-]{36}\.metadata\.json$")]
    private static partial Regex Pattern();
}
