namespace K2.Exchanges.Pipeline;

/// <summary>Where a gap stands. Labels of the gap metrics.</summary>
public enum GapStatus
{
    /// <summary>Ids are missing; waiting for late arrival, a snapshot or REST backfill.</summary>
    Open,

    /// <summary>Every missing id arrived.</summary>
    Filled,

    /// <summary>Verified over REST: the exchange has no trades under the missing ids (Kraken's WebSocket skips some ids).</summary>
    Absent,

    /// <summary>Not recoverable: backfill failed or found only part of the ids before the deadline.</summary>
    Lost,
}

/// <summary>A run of missing trade ids of one symbol, between two trades that did arrive.</summary>
internal sealed class Gap(string symbol, long firstMissing, long lastMissing, long beforeTimestampUs, long afterTimestampUs, long openedAtUs)
{
    public string Symbol { get; } = symbol;

    public long FirstMissing { get; } = firstMissing;

    public long LastMissing { get; } = lastMissing;

    /// <summary>Exchange time of the trade just before the gap (µs).</summary>
    public long BeforeTimestampUs { get; } = beforeTimestampUs;

    /// <summary>Exchange time of the trade just after the gap (µs).</summary>
    public long AfterTimestampUs { get; } = afterTimestampUs;

    public long OpenedAtUs { get; } = openedAtUs;

    public long Remaining { get; set; } = lastMissing - firstMissing + 1;

    public GapStatus Status { get; set; } = GapStatus.Open;

    public long? ClosedAtUs { get; set; }

    public bool Contains(long id) => id >= FirstMissing && id <= LastMissing;

    public override string ToString() => $"{Symbol} {FirstMissing}..{LastMissing} {Status} ({Remaining} missing)";
}
