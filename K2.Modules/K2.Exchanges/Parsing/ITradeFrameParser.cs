using K2.Core.Trades;

namespace K2.Exchanges.Parsing;

/// <summary>Parses one exchange text frame into normalized trades (appended to <c>output</c>) or a control/reject outcome.</summary>
internal interface ITradeFrameParser
{
    Exchange Exchange { get; }

    /// <summary>Never throws on bad input: returns <see cref="FrameKind.Rejected"/> with a reason and leaves <c>output</c> as it was.</summary>
    FrameOutcome Parse(ReadOnlySpan<byte> frame, long receiveTimestampUs, List<ParsedTrade> output);
}
