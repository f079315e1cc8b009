namespace K2.ClickHouse.Gateway;

/// <summary>An error ClickHouse reported, with its error code (e.g. 60 for UNKNOWN_TABLE; 0 when none was given).</summary>
public sealed class ClickHouseGatewayException(int code, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public int Code { get; } = code;
}
