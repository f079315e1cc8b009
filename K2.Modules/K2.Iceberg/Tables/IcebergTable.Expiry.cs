using K2.Iceberg.Avro;
using K2.Iceberg.Spec;

namespace K2.Iceberg.Tables;

/// <summary>What an expiry removed.</summary>
public sealed record ExpiryResult(int ExpiredSnapshots, int DeletedManifestLists, int DeletedManifests, int DeletedDataFiles);

public sealed partial class IcebergTable
{
    /// <summary>
    /// Expires snapshots older than <paramref name="olderThan"/> beyond the newest <paramref name="retainLast"/> of the
    /// current history (the current snapshot never expires), commits, then deletes the manifest lists of expired snapshots
    /// and the manifests and data files no retained snapshot still uses.
    /// </summary>
    public async Task<ExpiryResult> ExpireSnapshotsAsync(DateTimeOffset olderThan, int retainLast, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retainLast, 1);
        TableMetadata? before = null;
        List<Snapshot> expired = [];
        await CommitMetadataAsync((table, _) =>
        {
            before = table;
            var keep = Retained(table, olderThan.ToUnixTimeMilliseconds(), retainLast);
            expired = [.. table.Snapshots.Where(s => !keep.Contains(s.SnapshotId))];
            if (expired.Count == 0) { return Task.FromResult(table); }
            var lastExpiredLog = table.SnapshotLog.Select((e, i) => (e, i)).Where(x => !keep.Contains(x.e.SnapshotId)).Select(x => x.i).DefaultIfEmpty(-1).Max();
            return Task.FromResult(table with
            {
                Snapshots = [.. table.Snapshots.Where(s => keep.Contains(s.SnapshotId))],
                SnapshotLog = [.. table.SnapshotLog.Skip(lastExpiredLog + 1)],
                LastUpdatedMs = _warehouse.NowMs(),
            });
        }, [], cancellationToken).ConfigureAwait(false);

        if (expired.Count == 0 || before is null) { return new ExpiryResult(0, 0, 0, 0); }
        // Snapshots share most manifests: each is read once for both sets.
        var read = new Dictionary<string, List<ManifestEntry>>(StringComparer.Ordinal);
        var (keptManifests, keptData) = await ReachableAsync(before, Metadata.Snapshots, liveOnly: true, read, cancellationToken).ConfigureAwait(false);
        var (oldManifests, oldData) = await ReachableAsync(before, expired, liveOnly: false, read, cancellationToken).ConfigureAwait(false);
        var manifests = oldManifests.Except(keptManifests).ToList();
        var data = oldData.Except(keptData).ToList();
        foreach (var uri in expired.Select(s => s.ManifestList).Concat(manifests).Concat(data))
        {
            await Store.DeleteAsync(uri, cancellationToken).ConfigureAwait(false);
        }

        return new ExpiryResult(expired.Count, expired.Count, manifests.Count, data.Count);
    }

    /// <summary>
    /// Deletes the previous metadata files that describe only expired history: those numbered below the oldest metadata
    /// file written since the oldest retained snapshot was committed (the current file and newer, in-flight ones, stay).
    /// Run after <see cref="ExpireSnapshotsAsync"/>. Returns the number deleted.
    /// </summary>
    public async Task<int> DeleteExpiredMetadataFilesAsync(CancellationToken cancellationToken = default)
    {
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        var oldestRetainedMs = Metadata.Snapshots.Select(s => s.TimestampMs).DefaultIfEmpty(Metadata.LastUpdatedMs).Min();
        var keepFrom = Metadata.MetadataLog.Where(e => e.TimestampMs >= oldestRetainedMs).Select(e => MetadataFileNames.VersionOf(e.MetadataFile))
            .Append(MetadataFileNames.VersionOf(MetadataLocation)).Where(v => v >= 0).Min();
        var deleted = 0;
        await foreach (var file in Store.ListAsync(Metadata.Location + "/metadata/", cancellationToken).ConfigureAwait(false))
        {
            var version = MetadataFileNames.VersionOf(file.Uri);
            if (version < 0 || version >= keepFrom) { continue; }
            await Store.DeleteAsync(file.Uri, cancellationToken).ConfigureAwait(false);
            deleted++;
        }

        return deleted;
    }

    /// <summary>
    /// Every file the table still needs: metadata files (current and logged), manifest lists and manifests of every
    /// retained snapshot, and the data files live in any of them. Orphan cleanup deletes only what is not here (and only files older than a threshold).
    /// </summary>
    public async Task<IReadOnlySet<string>> ListReferencedFilesAsync(CancellationToken cancellationToken = default)
    {
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        var result = new HashSet<string>(StringComparer.Ordinal) { MetadataLocation };
        result.UnionWith(Metadata.MetadataLog.Select(e => e.MetadataFile));
        result.UnionWith(Metadata.Snapshots.Select(s => s.ManifestList));
        var (manifests, data) = await ReachableAsync(Metadata, Metadata.Snapshots, liveOnly: true, [], cancellationToken).ConfigureAwait(false);
        result.UnionWith(manifests);
        result.UnionWith(data);
        return result;
    }

    private static HashSet<long> Retained(TableMetadata table, long olderThanMs, int retainLast)
    {
        var keep = new HashSet<long>();
        var position = 0;
        for (var snapshot = table.CurrentSnapshot; snapshot is not null; position++)
        {
            if (position < retainLast || snapshot.TimestampMs >= olderThanMs) { keep.Add(snapshot.SnapshotId); }
            else { break; }
            snapshot = snapshot.ParentSnapshotId is { } p ? table.Snapshots.FirstOrDefault(s => s.SnapshotId == p) : null;
        }

        keep.UnionWith(table.Snapshots.Where(s => s.TimestampMs >= olderThanMs && !IsAncestorOfCurrent(table, s)).Select(s => s.SnapshotId));
        return keep;
    }

    private static bool IsAncestorOfCurrent(TableMetadata table, Snapshot candidate)
    {
        for (var s = table.CurrentSnapshot; s is not null; s = s.ParentSnapshotId is { } p ? table.Snapshots.FirstOrDefault(x => x.SnapshotId == p) : null)
        {
            if (s.SnapshotId == candidate.SnapshotId) { return true; }
        }

        return false;
    }

    /// <summary>
    /// The manifests of <paramref name="snapshots"/> and the data files they list (live ones only if <paramref name="liveOnly"/>).
    /// Each manifest is read once: <paramref name="read"/> holds the entries of those read so far.
    /// </summary>
    private async Task<(HashSet<string> Manifests, HashSet<string> Data)> ReachableAsync(TableMetadata table, IEnumerable<Snapshot> snapshots, bool liveOnly,
        Dictionary<string, List<ManifestEntry>> read, CancellationToken cancellationToken)
    {
        var manifests = new HashSet<string>(StringComparer.Ordinal);
        var data = new HashSet<string>(StringComparer.Ordinal);
        foreach (var snapshot in snapshots)
        {
            foreach (var manifest in ManifestListFile.Read(await Store.ReadAllAsync(snapshot.ManifestList, cancellationToken).ConfigureAwait(false)))
            {
                if (!manifests.Add(manifest.Path)) { continue; }
                if (!read.TryGetValue(manifest.Path, out var entries))
                {
                    entries = ManifestEntriesFile.Read(await Store.ReadAllAsync(manifest.Path, cancellationToken).ConfigureAwait(false), table, manifest);
                    read[manifest.Path] = entries;
                }

                data.UnionWith(entries.Where(e => !liveOnly || e.Status != EntryStatus.Deleted).Select(e => e.File.Path));
            }
        }

        return (manifests, data);
    }
}
