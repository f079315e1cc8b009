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

/// <summary>
/// A run of missing trade ids of one symbol, between two trades that did arrive. Which ids have arrived since is
/// tracked exactly (one bit per id, allocated on the first), so an id recovered twice — a page fetched again, a late
/// frame after REST — is filled once, however far back the dedup window reaches.
/// </summary>
internal sealed class Gap(string symbol, long firstMissing, long lastMissing, long beforeTimestampUs, long afterTimestampUs, long openedAtUs)
{
    /// <summary>Largest gap whose ids are tracked (32 MiB of bits); a larger one cannot be recovered and is lost when it opens.</summary>
    public const long MaxIds = 1L << 28;

    private System.Collections.BitArray? _arrived;

    public string Symbol { get; } = symbol;

    public long FirstMissing { get; } = firstMissing;

    public long LastMissing { get; } = lastMissing;

    /// <summary>Exchange time of the trade just before the gap (µs).</summary>
    public long BeforeTimestampUs { get; } = beforeTimestampUs;

    /// <summary>Exchange time of the trade just after the gap (µs).</summary>
    public long AfterTimestampUs { get; } = afterTimestampUs;

    public long OpenedAtUs { get; } = openedAtUs;

    public long Size => LastMissing - FirstMissing + 1;

    public long Remaining { get; private set; } = lastMissing - firstMissing + 1;

    public GapStatus Status { get; set; } = GapStatus.Open;

    public long? ClosedAtUs { get; set; }

    public bool Contains(long id) => id >= FirstMissing && id <= LastMissing;

    /// <summary>Records that <paramref name="id"/> (inside the gap) arrived; false when it had already.</summary>
    public bool TryFill(long id)
    {
        _arrived ??= new System.Collections.BitArray((int)Size);
        var index = (int)(id - FirstMissing);
        if (_arrived[index]) { return false; }
        _arrived[index] = true;
        Remaining--;
        return true;
    }

    public override string ToString() => $"{Symbol} {FirstMissing}..{LastMissing} {Status} ({Remaining} missing)";
}
