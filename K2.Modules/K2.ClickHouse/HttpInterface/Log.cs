using Microsoft.Extensions.Logging;

namespace K2.ClickHouse;

/// <summary>The ClickHouse module's log events of its HTTP interface (ids 4100–4199 of the module's 4000 block).</summary>
internal static partial class Log
{
    [LoggerMessage(4100, LogLevel.Information, "ClickHouse HTTP interface (read-only) on {Address} for user {User}, default database {Database}; {Password}")]
    public static partial void HttpInterfaceListening(ILogger logger, Uri address, string user, string database, string password);

    [LoggerMessage(4101, LogLevel.Warning, "ClickHouse HTTP interface refused user {User} from {Remote}: wrong user or password")]
    public static partial void HttpInterfaceAuthenticationFailed(ILogger logger, string user, string? remote);

    [LoggerMessage(4102, LogLevel.Information, "ClickHouse HTTP interface query {QueryId} from {Remote} failed with code {Code}")]
    public static partial void HttpInterfaceQueryFailed(ILogger logger, string queryId, string? remote, int code);

    [LoggerMessage(4103, LogLevel.Information, "Cold table {Table} offered as {MirrorTable} on the ClickHouse HTTP interface")]
    public static partial void ColdTableMirrored(ILogger logger, string table, string mirrorTable);

    [LoggerMessage(4104, LogLevel.Warning, "Cold table {Table} could not be offered on the ClickHouse HTTP interface; retried at the next check: {Reason}")]
    public static partial void ColdTableNotMirrored(ILogger logger, string table, string reason);

    [LoggerMessage(4105, LogLevel.Warning, "ClickHouse HTTP interface query {QueryId} ended after its response had started: {Reason}")]
    public static partial void HttpInterfaceResponseCut(ILogger logger, string queryId, string reason);
}
