using System.Globalization;
using K2.Iceberg.Avro;
using K2.Iceberg.Spec;
using K2.Iceberg.Storage;

namespace K2.Iceberg.Tables;

/// <summary>
/// Writes the manifests and manifest list of a new snapshot on top of a base and returns the new metadata.
/// An append reads only the parent's manifest list: new files go to a new manifest as ADDED entries that inherit the
/// snapshot's sequence number, every other manifest is carried as it is, and the totals come from the parent's summary.
/// A commit that removes files reads the manifests and rewrites those holding a removed file (remaining files
/// EXISTING, removed ones DELETED, explicit sequence numbers). Either way a carried manifest with no live entry is
/// dropped, and small manifests are merged as Iceberg's <c>commit.manifest-merge.*</c> properties say.
/// </summary>
internal sealed class SnapshotWriter(IObjectStore store)
{
    private static readonly string[] TotalKeys = ["total-data-files", "total-records", "total-files-size"];

    /// <summary>Files written by this attempt (deleted if the attempt loses its commit).</summary>
    public List<string> Written { get; } = [];

    public async Task<TableMetadata> WriteAsync(TableMetadata table, SnapshotChange change, IReadOnlyDictionary<string, string> extraSummary,
        long nowMs, CancellationToken cancellationToken)
    {
        var parent = table.CurrentSnapshot;
        var snapshotId = NewSnapshotId();
        var sequence = table.LastSequenceNumber + 1;
        var baseManifests = await ManifestListAsync(parent, cancellationToken).ConfigureAwait(false);
        // A manifest whose entries are all DELETED only told the snapshot that deleted them.
        var carried = baseManifests.Where(m => m.AddedFilesCount + m.ExistingFilesCount > 0).ToList();
        var manifests = new List<ManifestFile>();
        var removed = new List<DataFile>();
        var rewritten = 0;
        if (change.Removed is { } isRemoved)
        {
            var live = new List<DataFile>();
            // The entries of every manifest that loses a file go into one new manifest per spec, not one per manifest: a
            // compaction that replaces the files of a hundred appends writes one manifest instead of a hundred.
            var rewrittenEntries = new Dictionary<int, List<ManifestEntry>>();
            foreach (var manifest in carried)
            {
                var liveEntries = (await ReadEntriesAsync(table, manifest, cancellationToken).ConfigureAwait(false)).Where(e => e.Status != EntryStatus.Deleted).ToList();
                var removedHere = liveEntries.Where(e => isRemoved(e.File)).ToHashSet();
                live.AddRange(liveEntries.Select(e => e.File));
                if (removedHere.Count == 0)
                {
                    manifests.Add(manifest);
                    continue;
                }

                removed.AddRange(removedHere.Select(e => e.File));
                rewritten++;
                var entries = rewrittenEntries.TryGetValue(manifest.SpecId, out var list) ? list : rewrittenEntries[manifest.SpecId] = [];
                entries.AddRange(liveEntries.Select(e => removedHere.Contains(e)
                    ? e with { Status = EntryStatus.Deleted, SnapshotId = snapshotId }
                    : e with { Status = EntryStatus.Existing }));
            }

            await change.Validate(table, live, removed).ConfigureAwait(false);
            foreach (var (specId, entries) in rewrittenEntries)
            {
                manifests.Add(await WriteManifestAsync(table, specId, entries, snapshotId, sequence, cancellationToken).ConfigureAwait(false));
            }
        }
        else
        {
            manifests.AddRange(carried);
        }

        var created = new List<ManifestFile>();
        foreach (var group in change.Added.GroupBy(f => f.SpecId))
        {
            var added = group.Select(f => new ManifestEntry(EntryStatus.Added, snapshotId, null, null, f)).ToList();
            created.Add(await WriteManifestAsync(table, group.Key, added, snapshotId, sequence, cancellationToken).ConfigureAwait(false));
        }

        var (merged, mergedAway) = await MergeAsync(table, [.. created, .. manifests], snapshotId, sequence, cancellationToken).ConfigureAwait(false);
        var totals = await TotalsAsync(table, parent, baseManifests, cancellationToken).ConfigureAwait(false);
        var summary = Summary(change, removed, totals, extraSummary);
        summary["manifests-created"] = S(merged.Count(m => m.AddedSnapshotId == snapshotId));
        summary["manifests-kept"] = S(merged.Count(m => m.AddedSnapshotId != snapshotId));
        summary["manifests-replaced"] = S(rewritten + mergedAway + (baseManifests.Count - carried.Count));
        return await CommitSnapshotAsync(table, merged, summary, snapshotId, sequence, nowMs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Rewrites the current snapshot's manifests smaller than <paramref name="targetBytes"/> into manifests clustered by
    /// partition (like Spark's <c>rewrite_manifests</c>): live entries sorted by partition, cut at about the target
    /// size, all EXISTING with their sequence numbers; operation <c>replace</c>, same files and totals. Returns the table
    /// unchanged when that would not reduce the number of manifests.
    /// </summary>
    public async Task<TableMetadata> RewriteManifestsAsync(TableMetadata table, long targetBytes, long nowMs, CancellationToken cancellationToken)
    {
        var parent = table.CurrentSnapshot;
        if (parent is null) { return table; }
        var baseManifests = await ManifestListAsync(parent, cancellationToken).ConfigureAwait(false);
        var small = baseManifests.Where(m => m.Length < targetBytes).ToList();
        var kept = baseManifests.Except(small).Where(m => m.AddedFilesCount + m.ExistingFilesCount > 0).ToList();
        var plan = new List<(int SpecId, ManifestEntry[] Entries)>();
        foreach (var spec in small.GroupBy(m => m.SpecId))
        {
            var entries = new List<ManifestEntry>();
            foreach (var manifest in spec)
            {
                entries.AddRange((await ReadEntriesAsync(table, manifest, cancellationToken).ConfigureAwait(false))
                    .Where(e => e.Status != EntryStatus.Deleted).Select(e => e with { Status = EntryStatus.Existing }));
            }

            var bytesPerEntry = (double)spec.Sum(m => m.Length) / Math.Max(1, entries.Count);
            var perManifest = Math.Max(1, (int)(targetBytes / Math.Max(1, bytesPerEntry)));
            entries.Sort((a, b) => PartitionOrder.Compare(a.File.Partition, b.File.Partition));
            plan.AddRange(entries.Chunk(perManifest).Select(chunk => (spec.Key, chunk)));
        }

        if (plan.Count >= small.Count && kept.Count + small.Count == baseManifests.Count) { return table; }
        var snapshotId = NewSnapshotId();
        var sequence = table.LastSequenceNumber + 1;
        var created = new List<ManifestFile>();
        foreach (var (specId, entries) in plan)
        {
            created.Add(await WriteManifestAsync(table, specId, entries, snapshotId, sequence, cancellationToken).ConfigureAwait(false));
        }

        var summary = new Dictionary<string, string>(parent.Summary.Where(p => p.Key.StartsWith("total-", StringComparison.Ordinal)))
        {
            ["operation"] = Operations.Replace,
            ["manifests-created"] = S(created.Count),
            ["manifests-kept"] = S(kept.Count),
            ["manifests-replaced"] = S(baseManifests.Count - kept.Count),
            ["entries-processed"] = S(created.Sum(m => m.ExistingFilesCount)),
        };
        return await CommitSnapshotAsync(table, [.. created, .. kept], summary, snapshotId, sequence, nowMs, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TableMetadata> CommitSnapshotAsync(TableMetadata table, IReadOnlyList<ManifestFile> manifests, Dictionary<string, string> summary,
        long snapshotId, long sequence, long nowMs, CancellationToken cancellationToken)
    {
        var parent = table.CurrentSnapshot;
        var listUri = string.Create(CultureInfo.InvariantCulture, $"{table.Location}/metadata/snap-{snapshotId}-1-{Guid.NewGuid()}.avro");
        await store.PutBytesAsync(listUri, ManifestListFile.Write(manifests, snapshotId, parent?.SnapshotId, sequence), cancellationToken).ConfigureAwait(false);
        Written.Add(listUri);
        var snapshot = new Snapshot(snapshotId, parent?.SnapshotId, sequence, nowMs, listUri, summary, table.CurrentSchemaId);
        return table with
        {
            LastSequenceNumber = sequence,
            LastUpdatedMs = nowMs,
            CurrentSnapshotId = snapshotId,
            Snapshots = [.. table.Snapshots, snapshot],
            SnapshotLog = [.. table.SnapshotLog, new SnapshotLogEntry(nowMs, snapshotId)],
        };
    }

    /// <summary>
    /// Iceberg's manifest merge (Java <c>ManifestMergeManager</c>): per partition spec, manifests (newest first) are
    /// packed from the oldest end into bins of at most <c>commit.manifest.target-size-bytes</c>; a bin of several
    /// manifests is merged into one, except the bin holding the newest manifest while it has fewer than
    /// <c>commit.manifest.min-count-to-merge</c>. Returns the manifests and how many were merged away.
    /// </summary>
    private async Task<(List<ManifestFile> Manifests, int MergedAway)> MergeAsync(TableMetadata table, List<ManifestFile> manifests, long snapshotId, long sequence, CancellationToken cancellationToken)
    {
        if (!TableProperties.MergeEnabled(table) || manifests.Count < 2) { return (manifests, 0); }
        var target = TableProperties.ManifestTargetBytes(table);
        var minCount = TableProperties.MinCountToMerge(table);
        var result = new List<ManifestFile>();
        var mergedAway = 0;
        foreach (var group in manifests.GroupBy(m => m.SpecId))
        {
            var newest = group.First();
            foreach (var bin in PackFromEnd([.. group], target))
            {
                if (bin.Count == 1 || (bin.Contains(newest) && bin.Count < minCount))
                {
                    result.AddRange(bin);
                    continue;
                }

                var entries = new List<ManifestEntry>();
                foreach (var manifest in bin)
                {
                    foreach (var entry in await ReadEntriesAsync(table, manifest, cancellationToken).ConfigureAwait(false))
                    {
                        // This commit's ADDED and DELETED entries keep their status; older DELETED ones are gone, the rest EXISTING.
                        if (entry.SnapshotId == snapshotId && entry.Status != EntryStatus.Existing)
                        {
                            entries.Add(entry.Status == EntryStatus.Added ? entry with { SequenceNumber = null, FileSequenceNumber = null } : entry);
                        }
                        else if (entry.Status != EntryStatus.Deleted)
                        {
                            entries.Add(entry with { Status = EntryStatus.Existing });
                        }
                    }
                }

                result.Add(await WriteManifestAsync(table, group.Key, entries, snapshotId, sequence, cancellationToken).ConfigureAwait(false));
                mergedAway += bin.Count;
            }
        }

        return (result, mergedAway);
    }

    private static List<List<ManifestFile>> PackFromEnd(List<ManifestFile> manifests, long target)
    {
        var bins = new List<List<ManifestFile>>();
        var bin = new List<ManifestFile>();
        long size = 0;
        for (var i = manifests.Count - 1; i >= 0; i--)
        {
            if (bin.Count > 0 && size + manifests[i].Length > target)
            {
                bins.Add(bin);
                bin = [];
                size = 0;
            }

            bin.Insert(0, manifests[i]);
            size += manifests[i].Length;
        }

        if (bin.Count > 0) { bins.Add(bin); }
        bins.Reverse();
        return bins;
    }

    private async Task<IReadOnlyList<ManifestFile>> ManifestListAsync(Snapshot? snapshot, CancellationToken cancellationToken) =>
        snapshot is null ? [] : ManifestListFile.Read(await store.ReadAllAsync(snapshot.ManifestList, cancellationToken).ConfigureAwait(false));

    private async Task<List<ManifestEntry>> ReadEntriesAsync(TableMetadata table, ManifestFile manifest, CancellationToken cancellationToken) =>
        ManifestEntriesFile.Read(await store.ReadAllAsync(manifest.Path, cancellationToken).ConfigureAwait(false), table, manifest);

    /// <summary>The parent's totals from its summary; read from its manifests only when the summary lacks them.</summary>
    private async Task<(long Files, long Records, long Bytes)> TotalsAsync(TableMetadata table, Snapshot? parent, IReadOnlyList<ManifestFile> manifests, CancellationToken cancellationToken)
    {
        if (parent is null) { return (0, 0, 0); }
        if (TotalKeys.All(parent.Summary.ContainsKey)) { return (parent.TotalDataFiles, parent.TotalRecords, parent.TotalFilesSize); }

        var live = new List<DataFile>();
        foreach (var manifest in manifests)
        {
            live.AddRange((await ReadEntriesAsync(table, manifest, cancellationToken).ConfigureAwait(false)).Where(e => e.Status != EntryStatus.Deleted).Select(e => e.File));
        }

        return (live.Count, live.Sum(f => f.RecordCount), live.Sum(f => f.FileSizeInBytes));
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

    private static Dictionary<string, string> Summary(SnapshotChange change, IReadOnlyList<DataFile> removed, (long Files, long Records, long Bytes) parent,
        IReadOnlyDictionary<string, string> extra)
    {
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
        summary["total-data-files"] = S(parent.Files - removed.Count + change.Added.Count);
        summary["total-delete-files"] = "0";
        summary["total-records"] = S(parent.Records - removed.Sum(f => f.RecordCount) + change.Added.Sum(f => f.RecordCount));
        summary["total-files-size"] = S(parent.Bytes - removed.Sum(f => f.FileSizeInBytes) + change.Added.Sum(f => f.FileSizeInBytes));
        summary["total-position-deletes"] = "0";
        summary["total-equality-deletes"] = "0";
        return summary;
    }

    private static string S(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static long NewSnapshotId()
    {
        var bytes = Guid.NewGuid().ToByteArray();
        return (BitConverter.ToInt64(bytes, 0) ^ BitConverter.ToInt64(bytes, 8)) & long.MaxValue;
    }
}

/// <summary>Orders partition tuples value by value (nulls first), for clustering manifests by partition.</summary>
internal static class PartitionOrder
{
    public static int Compare(PartitionKey a, PartitionKey b)
    {
        for (var i = 0; i < Math.Min(a.Values.Count, b.Values.Count); i++)
        {
            var order = Comparer<object?>.Default.Compare(a.Values[i], b.Values[i]);
            if (order != 0) { return order; }
        }

        return a.Values.Count.CompareTo(b.Values.Count);
    }
}
