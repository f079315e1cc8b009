using K2.Iceberg.Tables;

namespace K2.Maintenance.Cleanup;

/// <summary>What expiry removed from one table.</summary>
public sealed record ExpiryOutcome(int SnapshotsExpired, int FilesDeleted);

/// <summary>Whether the manifest rewrite (by partition) committed a new snapshot.</summary>
public sealed record ManifestOutcome(bool Rewritten);

/// <summary>What orphan cleanup found and deleted under one table's location.</summary>
public sealed record OrphanOutcome(int OrphansFound, int OrphansDeleted);

/// <summary>
/// Snapshot expiry and orphan removal of one table (docs/maintenance.md). Public for <c>k2 bench cold-growth</c>, which runs
/// the daily maintenance on simulated time; the maintenance run is its user in the daemon.
/// </summary>
public sealed class TableCleanup(IcebergWarehouse warehouse, TimeProvider time)
{
    /// <summary>
    /// Expires snapshots older than <paramref name="maxAge"/> beyond the newest <paramref name="retainLast"/>, deleting their
    /// manifest lists, the manifests and data files no retained snapshot uses, and the metadata files of expired history.
    /// </summary>
    public async Task<ExpiryOutcome> ExpireAsync(IcebergTable table, TimeSpan maxAge, int retainLast, CancellationToken cancellationToken)
    {
        var result = await table.ExpireSnapshotsAsync(time.GetUtcNow() - maxAge, retainLast, cancellationToken).ConfigureAwait(false);
        var metadataFiles = result.ExpiredSnapshots == 0 ? 0 : await table.DeleteExpiredMetadataFilesAsync(cancellationToken).ConfigureAwait(false);
        return new ExpiryOutcome(result.ExpiredSnapshots,
            result.DeletedManifestLists + result.DeletedManifests + result.DeletedDataFiles + metadataFiles);
    }

    /// <summary>
    /// Deletes files under the table location that no metadata references and that were last written more than
    /// <paramref name="minAge"/> ago: a younger unreferenced file may belong to a commit in flight.
    /// </summary>
    public async Task<OrphanOutcome> RemoveOrphansAsync(IcebergTable table, TimeSpan minAge, CancellationToken cancellationToken)
    {
        // The reference set is taken before listing, so a file committed in between is young and left alone.
        var referenced = await table.ListReferencedFilesAsync(cancellationToken).ConfigureAwait(false);
        var cutoff = time.GetUtcNow() - minAge;
        var found = 0;
        var deleted = 0;
        await foreach (var file in warehouse.Store.ListAsync(table.Metadata.Location + "/", cancellationToken).ConfigureAwait(false))
        {
            if (referenced.Contains(file.Uri)) { continue; }
            found++;
            if (file.LastModified >= cutoff) { continue; }
            await warehouse.Store.DeleteAsync(file.Uri, cancellationToken).ConfigureAwait(false);
            deleted++;
        }

        return new OrphanOutcome(found, deleted);
    }
}
