namespace K2.Iceberg.Tables;

/// <summary>
/// The ClickHouse table function that reads a cold table: <c>icebergLocal</c> for a local warehouse (ClickHouse reads
/// local files only under its user_files_path), <c>icebergS3</c> at the store's server-side endpoint, with the server's
/// named collection of credentials when one is configured, else the credentials inline when
/// <paramref name="inlineCredentials"/> allows it. The text may hold credentials: it is never logged. Shared by the audit
/// and the query API, which read cold tables through ClickHouse rather than in .NET.
/// </summary>
/// <param name="inlineCredentials">Whether credentials may travel in the SQL text (with the embedded engine: in process).</param>
public sealed class ColdSourceSql(S3StorageOptions s3, bool inlineCredentials = true)
{
    public string For(string tableLocation)
    {
        var uri = new Uri(tableLocation);
        if (uri.IsFile) { return $"icebergLocal({Quote(uri.LocalPath)})"; }
        var (bucket, key) = (uri.Host, uri.AbsolutePath.Trim('/'));
        var endpoint = s3.ServerEndpoint.Length > 0 ? s3.ServerEndpoint : s3.Endpoint;
        var url = endpoint.Length == 0
            ? $"https://{bucket}.s3.{s3.Region}.amazonaws.com/{key}/"
            : $"{endpoint.TrimEnd('/')}/{bucket}/{key}/";
        if (s3.ServerCredentialsCollection.Length > 0) { return $"icebergS3({s3.ServerCredentialsCollection}, url = {Quote(url)})"; }
        var accessKey = inlineCredentials ? Environment.GetEnvironmentVariable(s3.AccessKeyVariable) : null;
        var secretKey = Environment.GetEnvironmentVariable(s3.SecretKeyVariable);
        return string.IsNullOrEmpty(accessKey)
            ? $"icebergS3({Quote(url)})"
            : $"icebergS3({Quote(url)}, {Quote(accessKey)}, {Quote(secretKey ?? "")})";
    }

    private static string Quote(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
