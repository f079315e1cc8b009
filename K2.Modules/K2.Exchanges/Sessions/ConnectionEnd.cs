namespace K2.Exchanges.Sessions;

/// <summary>Why a connection ended; each is a label of the reconnect metric.</summary>
internal static class ConnectionEnd
{
    public const string Shutdown = "shutdown";
    public const string Silence = "silence";
    public const string ClosedByServer = "closed_by_server";
    public const string Error = "error";
    public const string ConnectFailed = "connect_failed";
    public const string SequenceGap = "sequence_gap";
    public const string Oversize = "oversize";
    public const string Rotation = "rotation";
    public const string ServerShutdown = "server_shutdown";
}
