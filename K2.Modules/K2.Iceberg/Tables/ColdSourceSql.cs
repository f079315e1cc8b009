using System.Text.RegularExpressions;
using K2.Iceberg.Storage;

namespace K2.Iceberg.Tables;

/// <summary>
/// The ClickHouse table functions that read the cold tier: <c>icebergLocal</c>/<c>file</c> for a local warehouse
/// (ClickHouse reads local files only under its user_files_path), <c>icebergS3</c>/<c>s3</c> at the store's server-side
/// endpoint, with the server's named collection of credentials when one is configured, else the credentials inline when
/// <paramref name="inlineCredentials"/> allows it. The text may hold credentials: it is never logged. Shared by the audit,
/// the query API and compaction, which read cold tables through ClickHouse rather than in .NET.
/// </summary>
/// <param name="inlineCredentials">Whether credentials may travel in the SQL text (with the embedded engine: in process).</param>
public sealed partial class ColdSourceSql(S3StorageOptions s3, bool inlineCredentials = true)
{
    /// <summary>The table at <paramref name="tableLocation"/>, through ClickHouse's Iceberg reader.</summary>
    public string For(string tableLocation)
    {
        var uri = new Uri(tableLocation);
        return uri.IsFile ? $"icebergLocal({Quote(uri.LocalPath)})" : S3Function("icebergS3", HttpUrl(uri) + "/");
    }

    /// <summary>
    /// Data files (absolute URIs) read as Parquet with the ClickHouse <paramref name="structure"/> (<c>name Type, …</c>):
    /// one <c>file</c> or <c>s3</c> function per folder, naming its files as a <c>{a,b}</c> alternative.
    /// </summary>
    public string ForDataFiles(IReadOnlyList<string> uris, string structure)
    {
        var folders = uris.GroupBy(u => u[..(u.LastIndexOf('/') + 1)], StringComparer.Ordinal).Select(folder =>
        {
            var names = folder.Select(u => u[(u.LastIndexOf('/') + 1)..]).ToList();
            var path = folder.Key + (names.Count == 1 ? names[0] : "{" + string.Join(",", names) + "}");
            if (folder.Append(folder.Key).Any(u => !PlainPath().IsMatch(u)))
            {
                throw new InvalidDataException($"data file paths under {folder.Key} hold characters ClickHouse reads as a glob; they cannot be read by name");
            }

            var uri = new Uri(folder.Key);
            return uri.IsFile
                ? $"file({Quote(LocalObjectStore.ToPath(folder.Key) + path[folder.Key.Length..])}, 'Parquet', {Quote(structure)})"
                : S3Function("s3", HttpUrl(uri) + "/" + path[folder.Key.Length..], ("format", "Parquet"), ("structure", structure));
        }).ToList();
        return folders.Count == 1 ? folders[0] : "(" + string.Join(" UNION ALL ", folders.Select(f => $"SELECT * FROM {f}")) + ")";
    }

    private string HttpUrl(Uri uri)
    {
        var (bucket, key) = (uri.Host, uri.AbsolutePath.Trim('/'));
        var endpoint = s3.ServerEndpoint.Length > 0 ? s3.ServerEndpoint : s3.Endpoint;
        return endpoint.Length == 0
            ? $"https://{bucket}.s3.{s3.Region}.amazonaws.com/{key}"
            : $"{endpoint.TrimEnd('/')}/{bucket}/{key}";
    }

    /// <summary>
    /// <paramref name="function"/> over <paramref name="url"/>: with the named collection its arguments go by name (ClickHouse
    /// takes no positional argument after a collection), else positionally with the credentials when they may be inline.
    /// </summary>
    private string S3Function(string function, string url, params (string Name, string Value)[] more)
    {
        if (s3.ServerCredentialsCollection.Length > 0)
        {
            return $"{function}({s3.ServerCredentialsCollection}, url = {Quote(url)}{string.Concat(more.Select(m => $", {m.Name} = {Quote(m.Value)}"))})";
        }

        var accessKey = inlineCredentials ? Environment.GetEnvironmentVariable(s3.AccessKeyVariable) : null;
        var secretKey = Environment.GetEnvironmentVariable(s3.SecretKeyVariable);
        var credentials = string.IsNullOrEmpty(accessKey) ? "" : $", {Quote(accessKey)}, {Quote(secretKey ?? "")}";
        return $"{function}({Quote(url)}{credentials}{string.Concat(more.Select(m => $", {Quote(m.Value)}"))})";
    }

    private static string Quote(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    /// <summary>No glob characters (<c>* ? { } [ ] ,</c>) and nothing needing a quote.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9._/=:%+-]+$")]
    private static partial Regex PlainPath();
}
