using System.Globalization;
using K2.Iceberg.Avro;
using K2.Iceberg.Spec;
using K2.Iceberg.Storage;

namespace K2.Iceberg.Tables;

/// <summary>
/// Writes the manifests and manifest list of a new snapshot on top of a base and returns the new metadata.
/// Untouched manifests are carried as they are; a manifest holding a removed file is rewritten with the
/// remaining files EXISTING and the removed ones DELETED (explicit sequence numbers); new files go to a new
/// manifest as ADDED entries that inherit the snapshot's sequence number.
/// </summary>
internal sealed class SnapshotWriter(IObjectStore store)
{
    private const int PreviousVersionsMax = 100;

    /// <summary>Files written by this attempt (deleted if the attempt loses its commit).</summary>
    public List<string> Written { get; } = [];

    public async Task<TableMetadata> WriteAsync(TableMetadata table, SnapshotChange change, IReadOnlyDictionary<string, string> extraSummary,
        string baseMetadataLocation, long nowMs, CancellationToken cancellationToken)
    {
        var parent = table.CurrentSnapshot;
        var snapshotId = NewSnapshotId();
        var sequence = table.LastSequenceNumber + 1;
        var manifests = new List<ManifestFile>();
        var live = new List<DataFile>();
        var removed = new List<DataFile>();
        var baseManifests = parent is null ? [] : ManifestListFile.Read(await store.ReadAllAsync(parent.ManifestList, cancellationToken).ConfigureAwait(false));
        foreach (var manifest in baseManifests)
        {
            var entries = ManifestEntriesFile.Read(await store.ReadAllAsync(manifest.Path, cancellationToken).ConfigureAwait(false), table, manifest);
            var liveEntries = entries.Where(e => e.Status != EntryStatus.Deleted).ToList();
            var removedHere = liveEntries.Where(e => change.Removed(e.File)).ToList();
            live.AddRange(liveEntries.Select(e => e.File));
            if (removedHere.Count == 0)
            {
                manifests.Add(manifest);
                continue;
            }

            removed.AddRange(removedHere.Select(e => e.File));
            var rewritten = liveEntries.Select(e => removedHere.Contains(e)
                ? e with { Status = EntryStatus.Deleted, SnapshotId = snapshotId }
                : e with { Status = EntryStatus.Existing }).ToList();
            manifests.Add(await WriteManifestAsync(table, manifest.SpecId, rewritten, snapshotId, sequence, cancellationToken).ConfigureAwait(false));
        }

        await change.Validate(table, live, removed).ConfigureAwait(false);
        foreach (var group in change.Added.GroupBy(f => f.SpecId))
        {
            var added = group.Select(f => new ManifestEntry(EntryStatus.Added, snapshotId, null, null, f)).ToList();
            manifests.Add(await WriteManifestAsync(table, group.Key, added, snapshotId, sequence, cancellationToken).ConfigureAwait(false));
        }

        var listUri = string.Create(CultureInfo.InvariantCulture, $"{table.Location}/metadata/snap-{snapshotId}-1-{Guid.NewGuid()}.avro");
        await store.PutBytesAsync(listUri, ManifestListFile.Write(manifests, snapshotId, parent?.SnapshotId, sequence), cancellationToken).ConfigureAwait(false);
        Written.Add(listUri);

        var summary = Summary(change, removed, live, extraSummary);
        var snapshot = new Snapshot(snapshotId, parent?.SnapshotId, sequence, nowMs, listUri, summary, table.CurrentSchemaId);
        var metadataLog = table.MetadataLog.Append(new MetadataLogEntry(table.LastUpdatedMs, baseMetadataLocation)).TakeLast(PreviousVersionsMax).ToList();
        return table with
        {
            LastSequenceNumber = sequence,
            LastUpdatedMs = nowMs,
            CurrentSnapshotId = snapshotId,
            Snapshots = [.. table.Snapshots, snapshot],
            SnapshotLog = [.. table.SnapshotLog, new SnapshotLogEntry(nowMs, snapshotId)],
            MetadataLog = metadataLog,
        };
    }

    private async Task<ManifestFile> WriteManifestAsync(TableMetadata table, int specId, IReadOnlyList<ManifestEntry> entries, long snapshotId, long sequence, CancellationToken cancellationToken)
    {
        var spec = table.SpecById(specId);
        var uri = string.Create(CultureInfo.InvariantCulture, $"{table.Location}/metadata/{Guid.NewGuid()}-m{Written.Count}.avro");
        var bytes = ManifestEntriesFile.Write(table.CurrentSchema, spec, entries);
        await store.PutBytesAsync(uri, bytes, cancellationToken).ConfigureAwait(false);
        Written.Add(uri);
        var liveEntries = entries.Where(e => e.Status != EntryStatus.Deleted).ToList();
        return new ManifestFile(uri, bytes.Length, specId, sequence,
            liveEntries.Select(e => e.SequenceNumber ?? sequence).DefaultIfEmpty(sequence).Min(), snapshotId,
            entries.Count(e => e.Status == EntryStatus.Added), entries.Count(e => e.Status == EntryStatus.Existing), entries.Count(e => e.Status == EntryStatus.Deleted),
            entries.Where(e => e.Status == EntryStatus.Added).Sum(e => e.File.RecordCount),
            entries.Where(e => e.Status == EntryStatus.Existing).Sum(e => e.File.RecordCount),
            entries.Where(e => e.Status == EntryStatus.Deleted).Sum(e => e.File.RecordCount),
            PartitionSummaries(table, spec, entries));
    }

    private static List<FieldSummary> PartitionSummaries(TableMetadata table, PartitionSpec spec, IReadOnlyList<ManifestEntry> entries)
    {
        var result = new List<FieldSummary>();
        for (var i = 0; i < spec.Fields.Count; i++)
        {
            var type = spec.ResultType(table.CurrentSchema, spec.Fields[i]);
            var values = entries.Select(e => e.File.Partition.Values[i]).ToList();
            var present = values.Where(v => v is not null).Cast<IComparable>().ToList();
            result.Add(new FieldSummary(values.Any(v => v is null),
                present.Count == 0 ? null : SingleValue.Encode(type, present.Min()!),
                present.Count == 0 ? null : SingleValue.Encode(type, present.Max()!)));
        }

        return result;
    }

    private static Dictionary<string, string> Summary(SnapshotChange change, IReadOnlyList<DataFile> removed, IReadOnlyList<DataFile> liveBefore,
        IReadOnlyDictionary<string, string> extra)
    {
        static string S(long v) => v.ToString(CultureInfo.InvariantCulture);
        var totalFiles = liveBefore.Count - removed.Count + change.Added.Count;
        var totalRecords = liveBefore.Sum(f => f.RecordCount) - removed.Sum(f => f.RecordCount) + change.Added.Sum(f => f.RecordCount);
        var totalSize = liveBefore.Sum(f => f.FileSizeInBytes) - removed.Sum(f => f.FileSizeInBytes) + change.Added.Sum(f => f.FileSizeInBytes);
        var summary = new Dictionary<string, string>(extra) { ["operation"] = change.Operation };
        if (change.Added.Count > 0)
        {
            summary["added-data-files"] = S(change.Added.Count);
            summary["added-records"] = S(change.Added.Sum(f => f.RecordCount));
            summary["added-files-size"] = S(change.Added.Sum(f => f.FileSizeInBytes));
        }

        if (removed.Count > 0)
        {
            summary["deleted-data-files"] = S(removed.Count);
            summary["deleted-records"] = S(removed.Sum(f => f.RecordCount));
            summary["removed-files-size"] = S(removed.Sum(f => f.FileSizeInBytes));
        }

        summary["changed-partition-count"] = S(change.Added.Concat(removed).Select(f => (f.SpecId, f.Partition)).Distinct().Count());
        summary["total-data-files"] = S(totalFiles);
        summary["total-delete-files"] = "0";
        summary["total-records"] = S(totalRecords);
        summary["total-files-size"] = S(totalSize);
        summary["total-position-deletes"] = "0";
        summary["total-equality-deletes"] = "0";
        return summary;
    }

    private static long NewSnapshotId()
    {
        var bytes = Guid.NewGuid().ToByteArray();
        return (BitConverter.ToInt64(bytes, 0) ^ BitConverter.ToInt64(bytes, 8)) & long.MaxValue;
    }
}
