using System.Text.Json;
using K2.Iceberg.Spec;

namespace K2.Offload.Watermarks;

/// <summary>
/// How far a cold table has been offloaded: one position per stream (a Kafka <c>topic/partition</c> and its last
/// offset; for candles the closed-window horizon and the silver ingestion cut, in Unix microseconds).
/// </summary>
public sealed record Watermark(IReadOnlyDictionary<string, long> Positions)
{
    /// <summary>Snapshot-summary key carrying the watermark a snapshot committed.</summary>
    public const string SummaryKey = "k2.watermark";

    public static readonly Watermark Empty = new(new Dictionary<string, long>());

    /// <summary>Position of <paramref name="stream"/>, or <paramref name="none"/> when nothing was offloaded from it.</summary>
    public long Of(string stream, long none = -1) => Positions.TryGetValue(stream, out var p) ? p : none;

    public Watermark With(IReadOnlyDictionary<string, long> advanced)
    {
        var merged = new Dictionary<string, long>(Positions);
        foreach (var (stream, position) in advanced) { merged[stream] = position; }
        return new Watermark(merged);
    }

    /// <summary>Per stream, the further of the two.</summary>
    public Watermark Max(Watermark other)
    {
        var merged = new Dictionary<string, long>(Positions);
        foreach (var (stream, position) in other.Positions) { merged[stream] = Math.Max(position, Of(stream, long.MinValue)); }
        return new Watermark(merged);
    }

    public bool SameAs(Watermark other) =>
        Positions.Count == other.Positions.Count && Positions.All(p => other.Positions.TryGetValue(p.Key, out var o) && o == p.Value);

    public string ToJson() => JsonSerializer.Serialize(new SortedDictionary<string, long>(Positions.ToDictionary(), StringComparer.Ordinal));

    public static Watermark FromJson(string json) => new(JsonSerializer.Deserialize<Dictionary<string, long>>(json) ?? []);

    /// <summary>
    /// The watermark of the newest snapshot in the current snapshot's ancestry that carries one (compaction and other
    /// maintenance snapshots carry none), or <see cref="Empty"/>.
    /// </summary>
    public static Watermark Committed(TableMetadata table)
    {
        var byId = table.Snapshots.ToDictionary(s => s.SnapshotId);
        for (var snapshot = table.CurrentSnapshot; snapshot is not null;
             snapshot = snapshot.ParentSnapshotId is { } parent && byId.TryGetValue(parent, out var p) ? p : null)
        {
            if (snapshot.Summary.TryGetValue(SummaryKey, out var json)) { return FromJson(json); }
        }

        return Empty;
    }

    public override string ToString() => ToJson();
}
