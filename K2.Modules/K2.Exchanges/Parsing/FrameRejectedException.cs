using System.Diagnostics.CodeAnalysis;

namespace K2.Exchanges.Parsing;

/// <summary>
/// Unwinds a parser out of nested JSON loops when a frame is bad. Rejects are rare, so the cost of
/// an exception is paid only on bad input; the whole frame is rejected, never partially applied.
/// </summary>
internal sealed class FrameRejectedException(string reason, string detail) : Exception(detail)
{
    public string Reason { get; } = reason;

    [DoesNotReturn]
    public static void Throw(string reason, string detail) => throw new FrameRejectedException(reason, detail);
}
