namespace K2.Iceberg.Tables;

/// <summary>
/// The ClickHouse table function that reads a cold table: <c>icebergLocal</c> for a local warehouse (ClickHouse reads
/// local files only under its user_files_path), <c>icebergS3</c> with the Iceberg section's endpoint and credentials.
/// The text holds credentials: it is never logged. Shared by the audit and the query API, which read cold tables
/// through ClickHouse rather than in .NET.
/// </summary>
public sealed class ColdSourceSql(S3StorageOptions s3)
{
    public string For(string tableLocation)
    {
        var uri = new Uri(tableLocation);
        if (uri.IsFile) { return $"icebergLocal({Quote(uri.LocalPath)})"; }
        var (bucket, key) = (uri.Host, uri.AbsolutePath.Trim('/'));
        var url = s3.Endpoint.Length == 0
            ? $"https://{bucket}.s3.{s3.Region}.amazonaws.com/{key}/"
            : $"{s3.Endpoint.TrimEnd('/')}/{bucket}/{key}/";
        var accessKey = Environment.GetEnvironmentVariable(s3.AccessKeyVariable);
        var secretKey = Environment.GetEnvironmentVariable(s3.SecretKeyVariable);
        return string.IsNullOrEmpty(accessKey)
            ? $"icebergS3({Quote(url)})"
            : $"icebergS3({Quote(url)}, {Quote(accessKey)}, {Quote(secretKey ?? "")})";
    }

    private static string Quote(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
