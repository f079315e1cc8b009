namespace K2.Exchanges.Parsing;

/// <summary>What a frame was, once parsed.</summary>
internal enum FrameKind : byte
{
    /// <summary>A trade message (its trades are in the output list; possibly all duplicates later).</summary>
    Trades,

    /// <summary>Acks, heartbeats, status, pongs, subscriptions: no trades.</summary>
    Control,

    /// <summary>The exchange announced it will close this connection (Binance <c>serverShutdown</c>).</summary>
    ServerShutdown,

    /// <summary>Bad input or an exchange error frame; see <see cref="FrameOutcome.Reason"/>.</summary>
    Rejected,
}

/// <param name="Reason">For rejects: one of <see cref="RejectReasons"/> (a bounded metric label).</param>
/// <param name="Detail">For rejects: what exactly was wrong, for humans.</param>
/// <param name="SequenceNumber">Coinbase per-connection <c>sequence_num</c>, when the frame carries one.</param>
internal readonly record struct FrameOutcome(FrameKind Kind, string? Reason = null, string? Detail = null, long? SequenceNumber = null)
{
    public static FrameOutcome Control(long? sequence = null) => new(FrameKind.Control, SequenceNumber: sequence);

    public static FrameOutcome Trades(long? sequence = null) => new(FrameKind.Trades, SequenceNumber: sequence);

    public static FrameOutcome Rejected(string reason, string detail) => new(FrameKind.Rejected, reason, detail);
}

/// <summary>The reasons a frame is rejected; each is a metric label value, so the set stays small.</summary>
internal static class RejectReasons
{
    public const string Empty = "empty_frame";
    public const string MalformedJson = "malformed_json";
    public const string UnknownFrame = "unknown_frame";
    public const string MissingField = "missing_field";
    public const string WrongType = "wrong_type";
    public const string OutOfRange = "out_of_range";
    public const string NonPositive = "non_positive";
    public const string UnknownSymbol = "unknown_symbol";
    public const string BadTimestamp = "bad_timestamp";
    public const string BadSide = "bad_side";
    public const string ErrorFrame = "error_frame";
}
