using K2.Iceberg.Spec;
using K2.Offload.Watermarks;

namespace K2.Query.Reading;

/// <summary>
/// The cold side of one request, fixed when it starts: the Iceberg snapshot ClickHouse reads and the watermark committed
/// with it. Rows at or below the watermark are read from that snapshot, rows above it from the hot tier, so a request sees
/// every row once whatever offload commits while it runs.
/// </summary>
/// <param name="Source">The ClickHouse table function reading the table (it may hold storage credentials: never log it).</param>
internal sealed record ColdPin(string? Source, long SnapshotId, Watermark Watermark)
{
    /// <summary>No cold table yet, or one without a snapshot: everything is hot.</summary>
    public static readonly ColdPin None = new(null, 0, Watermark.Empty);

    public bool HasRows => Source is not null;

    /// <summary>The watermark committed as of <paramref name="snapshotId"/>: the newest one in its ancestry.</summary>
    public static Watermark WatermarkAt(TableMetadata metadata, long snapshotId) =>
        Watermark.Committed(metadata with { CurrentSnapshotId = snapshotId });
}
