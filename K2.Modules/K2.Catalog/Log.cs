using Microsoft.Extensions.Logging;

namespace K2.Catalog;

/// <summary>The catalog module's log events (ids 10000–10999).</summary>
internal static partial class Log
{
    [LoggerMessage(10000, LogLevel.Information, "Iceberg REST catalog serving catalog {Catalog} (warehouse {Warehouse}) on {Address}; {Authentication}")]
    public static partial void Listening(ILogger logger, string catalog, string warehouse, Uri address, string authentication);

    [LoggerMessage(10001, LogLevel.Warning, "Iceberg REST catalog refused {Method} {Path} from {Remote}: {Reason}")]
    public static partial void Unauthorized(ILogger logger, string method, string path, string? remote, string reason);

    [LoggerMessage(10002, LogLevel.Information, "Iceberg REST catalog issued a token to client {ClientId}, valid {Seconds} s")]
    public static partial void TokenIssued(ILogger logger, string clientId, int seconds);

    [LoggerMessage(10003, LogLevel.Information, "Iceberg REST catalog refused a write: {Method} {Path}")]
    public static partial void WriteRefused(ILogger logger, string method, string path);

    [LoggerMessage(10004, LogLevel.Error, "Iceberg REST catalog request {Method} {Path} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(10005, LogLevel.Information, "Iceberg REST catalog vended storage credentials for {Table} to {Remote}")]
    public static partial void CredentialsVended(ILogger logger, string table, string? remote);

    [LoggerMessage(10006, LogLevel.Warning, "Iceberg REST catalog was asked for vended credentials for {Table}, but {Variable} is empty; the table is served without them")]
    public static partial void VendedCredentialsMissing(ILogger logger, string table, string variable);

    [LoggerMessage(10007, LogLevel.Debug, "Iceberg REST catalog {Method} {Path}{Query} from {UserAgent} answered {Status}")]
    public static partial void Request(ILogger logger, string method, string path, string query, string userAgent, int status);
}
