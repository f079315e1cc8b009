namespace K2.Offload.Runs;

public enum OffloadOutcome
{
    /// <summary>A snapshot with new rows and the advanced watermark was committed.</summary>
    Committed,

    /// <summary>Nothing new to offload.</summary>
    UpToDate,

    /// <summary>Another offload committed this table first; its rows stay, this run's files were deleted.</summary>
    Superseded,

    Failed,
}

/// <summary>What one table's offload did.</summary>
/// <param name="NewestRow">Event time of the newest row now in the cold table (lag = now − this).</param>
public sealed record OffloadResult(
    string Table,
    OffloadOutcome Outcome,
    long Rows,
    long Bytes,
    int Files,
    TimeSpan Duration,
    DateTimeOffset? NewestRow,
    string Watermark,
    string? Error = null)
{
    /// <summary>Rows this run moved to the quarantine table instead of the cold table.</summary>
    public long Quarantined { get; init; }
}
