using System.Net;

namespace K2.Core.Http;

/// <summary>A listener address from configuration: <c>IP:port</c>, port 0 for one chosen at start.</summary>
public static class ListenAddress
{
    public const string Rule = "must be IP:port such as 127.0.0.1:8181 (0.0.0.0:8181 for every interface; port 0 picks a free one)";

    public static bool TryParse(string text, out IPEndPoint endpoint) =>
        IPEndPoint.TryParse(text, out endpoint!) && text.Contains(':', StringComparison.Ordinal);

    /// <summary>True when only this machine can connect (127.0.0.0/8 or ::1).</summary>
    public static bool IsLoopback(IPEndPoint endpoint) => IPAddress.IsLoopback(endpoint.Address);
}
