using System.Data.Common;
using K2.Iceberg.Avro;
using K2.Iceberg.Catalog;
using K2.Iceberg.Parquet;
using K2.Iceberg.Serialization;
using K2.Iceberg.Spec;
using K2.Iceberg.Storage;
using Microsoft.Extensions.Logging;

namespace K2.Iceberg.Tables;

/// <summary>
/// One catalog table and the operations the offload and maintenance jobs need. Each write builds a new snapshot on
/// the latest committed metadata and swaps the catalog pointer; on a conflict it reloads, re-validates and retries.
/// </summary>
public sealed partial class IcebergTable
{
    private readonly IcebergWarehouse _warehouse;

    internal IcebergTable(IcebergWarehouse warehouse, TableIdentifier identifier, string metadataLocation, TableMetadata metadata)
    {
        _warehouse = warehouse;
        Identifier = identifier;
        MetadataLocation = metadataLocation;
        Metadata = metadata;
    }

    public TableIdentifier Identifier { get; }

    /// <summary>The metadata file this handle last saw committed.</summary>
    public string MetadataLocation { get; private set; }

    public TableMetadata Metadata { get; private set; }

    private IObjectStore Store => _warehouse.Store;

    /// <summary>Test seam: runs after the new metadata file is written and before the pointer swap.</summary>
    internal Func<Task>? BeforeSwap { get; set; }

    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        var location = await _warehouse.Catalog.LoadLocationAsync(Identifier, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"table {Identifier} is no longer in catalog {_warehouse.Catalog.Name}");
        if (location == MetadataLocation) { return; }
        var metadata = TableMetadataJson.Read(await Store.ReadAllAsync(location, cancellationToken).ConfigureAwait(false));
        if (metadata.TableUuid != Metadata.TableUuid)
        {
            throw new InvalidOperationException($"table {Identifier} was replaced (uuid {Metadata.TableUuid} → {metadata.TableUuid}); reopen it");
        }

        MetadataLocation = location;
        Metadata = metadata;
    }

    /// <summary>A writer of new data files for this table's current schema and partition spec.</summary>
    public DataFileAppender NewAppender() => new(Store, Metadata, _warehouse.WriterSettings);

    /// <summary>A writer that closes files at <paramref name="targetFileSizeBytes"/> instead of the warehouse's size (compaction).</summary>
    public DataFileAppender NewAppender(long targetFileSizeBytes) =>
        new(Store, Metadata, _warehouse.WriterSettings with { TargetFileSizeBytes = targetFileSizeBytes });

    /// <summary>
    /// Makes a Parquet file another engine wrote (ClickHouse's encoder) one of this table's data files in
    /// <paramref name="partition"/>: checks its schema against the table's, stamps the field ids, reads its metrics and
    /// moves it under <c>data/</c> (<see cref="IObjectStore.MoveFileAsync"/>); null, and nothing stored, if it holds no rows. The local file is gone either way. The
    /// file is live only once a commit adds it.
    /// </summary>
    public Task<DataFile?> ImportDataFileAsync(string localPath, PartitionKey partition, CancellationToken cancellationToken = default) =>
        ImportDataFileAsync(localPath, Metadata.DefaultSpec, partition, cancellationToken);

    /// <summary>As <see cref="ImportDataFileAsync(string, PartitionKey, CancellationToken)"/>, in a partition of <paramref name="spec"/> (one of the table's specs).</summary>
    public async Task<DataFile?> ImportDataFileAsync(string localPath, PartitionSpec spec, PartitionKey partition, CancellationToken cancellationToken = default)
    {
        var folder = spec.IsUnpartitioned ? "" : spec.PathOf(Metadata.CurrentSchema, partition) + "/";
        var uri = $"{Metadata.Location}/data/{folder}{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid():N}.parquet";
        var file = await ForeignParquetFile.AdoptAsync(localPath, Metadata.CurrentSchema, uri, spec.SpecId, partition, cancellationToken).ConfigureAwait(false);
        if (file.RecordCount == 0)
        {
            File.Delete(localPath);
            return null;
        }

        await Store.MoveFileAsync(uri, localPath, cancellationToken).ConfigureAwait(false);
        return file;
    }

    /// <summary>
    /// Appends files (operation <c>append</c>) as a fast append: the parent's manifests are carried through its manifest
    /// list without being read (unless the manifest merge is due). Never conflicts: on a concurrent commit it rebases.
    /// </summary>
    public Task<Snapshot> AppendAsync(IReadOnlyList<DataFile> files, CommitOptions? options = null, CancellationToken cancellationToken = default) =>
        CommitAsync(new SnapshotChange(Operations.Append, files, null, (_, _, _) => ValueTask.CompletedTask), options, cancellationToken);

    /// <summary>
    /// Rewrites the current snapshot's manifests smaller than <paramref name="targetBytes"/> (default
    /// <c>commit.manifest.target-size-bytes</c>) into manifests clustered by partition, like Spark's
    /// <c>rewrite_manifests</c> (operation <c>replace</c>; data files and totals unchanged). False when there was nothing to gain.
    /// </summary>
    public async Task<bool> RewriteManifestsAsync(long? targetBytes = null, CancellationToken cancellationToken = default)
    {
        var before = Metadata.CurrentSnapshotId;
        await CommitMetadataAsync((table, writer) => writer.RewriteManifestsAsync(table, targetBytes ?? TableProperties.ManifestTargetBytes(table), _warehouse.NowMs(), cancellationToken),
            [], cancellationToken).ConfigureAwait(false);
        return Metadata.CurrentSnapshotId != before;
    }

    /// <summary>
    /// Replaces files with files holding the same rows (compaction, operation <c>replace</c>). Fails with
    /// <see cref="CommitValidationException"/> if any file to replace is no longer live.
    /// </summary>
    public Task<Snapshot> ReplaceAsync(IReadOnlyList<DataFile> replaced, IReadOnlyList<DataFile> added, CommitOptions? options = null, CancellationToken cancellationToken = default)
    {
        var paths = replaced.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        return CommitAsync(new SnapshotChange(Operations.Replace, added, f => paths.Contains(f.Path), (_, _, removed) =>
        {
            var missing = paths.Except(removed.Select(f => f.Path)).ToList();
            return missing.Count == 0 ? ValueTask.CompletedTask
                : throw new CommitValidationException($"{missing.Count} file(s) to replace are no longer live in {Identifier} (e.g. {missing[0]}): another commit removed them");
        }), options, cancellationToken);
    }

    /// <summary>
    /// Deletes the live files <paramref name="scope"/> selects (a partition, or files whose bounds fall in a range) and
    /// adds <paramref name="added"/> (operation <c>overwrite</c>) — e.g. revised candles. If a concurrent commit added a
    /// file in scope after this handle's snapshot, the overwrite fails rather than deleting data it has not seen.
    /// </summary>
    public Task<Snapshot> OverwriteAsync(Func<DataFile, bool> scope, IReadOnlyList<DataFile> added, CommitOptions? options = null, CancellationToken cancellationToken = default)
    {
        var seen = Metadata.CurrentSnapshotId;
        return CommitAsync(new SnapshotChange(Operations.Overwrite, added, scope, async (table, _, removed) =>
        {
            var unseen = await FilesAddedSinceAsync(table, seen, cancellationToken).ConfigureAwait(false);
            var conflict = removed.FirstOrDefault(f => unseen.Contains(f.Path));
            if (conflict is not null)
            {
                throw new CommitValidationException($"overwrite of {Identifier} conflicts with a concurrent commit that added {conflict.Path}");
            }
        }), options, cancellationToken);
    }

    /// <summary>The files live in the current snapshot.</summary>
    public async Task<IReadOnlyList<DataFile>> ListDataFilesAsync(CancellationToken cancellationToken = default)
    {
        var snapshot = Metadata.CurrentSnapshot;
        if (snapshot is null) { return []; }
        var result = new List<DataFile>();
        foreach (var (_, entries) in await ReadManifestsAsync(Metadata, snapshot, cancellationToken).ConfigureAwait(false))
        {
            result.AddRange(entries.Where(e => e.Status != EntryStatus.Deleted).Select(e => e.File));
        }

        return result;
    }

    /// <summary>The manifest list of the current snapshot (empty for a table without one).</summary>
    public async Task<IReadOnlyList<ManifestFile>> ReadManifestListAsync(CancellationToken cancellationToken = default) =>
        Metadata.CurrentSnapshot is { } snapshot
            ? ManifestListFile.Read(await Store.ReadAllAsync(snapshot.ManifestList, cancellationToken).ConfigureAwait(false))
            : [];

    /// <summary>Reads a data file back as rows of the current schema (for compaction).</summary>
    public async IAsyncEnumerable<object?[]> ReadRowsAsync(DataFile file, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var local = Path.Combine(Path.GetTempPath(), $"k2-iceberg-read-{Guid.NewGuid():N}.parquet");
        try
        {
            await Store.DownloadAsync(file.Path, local, cancellationToken).ConfigureAwait(false);
            await foreach (var row in Parquet.DataFileReader.ReadAsync(local, Metadata.CurrentSchema, cancellationToken).ConfigureAwait(false))
            {
                yield return row;
            }
        }
        finally
        {
            File.Delete(local);
        }
    }

    /// <summary>Adds optional columns (schema evolution); new files carry them, older files read them as null.</summary>
    public Task EvolveSchemaAsync(IReadOnlyList<NestedField> columns, CancellationToken cancellationToken = default) =>
        CommitMetadataAsync(table => table.AddColumns(columns, _warehouse.NowMs()), [], cancellationToken);

    /// <summary>
    /// Widens column types to those of <paramref name="wider"/> (same field ids) by schema evolution, e.g. decimal(28,18)
    /// to decimal(38,18); no commit when nothing changes. Returns whether the schema changed.
    /// </summary>
    public async Task<bool> PromoteColumnsAsync(Schema wider, CancellationToken cancellationToken = default)
    {
        var before = Metadata.CurrentSchemaId;
        await CommitMetadataAsync(table => table.PromoteColumns(wider, _warehouse.NowMs()), [], cancellationToken).ConfigureAwait(false);
        return Metadata.CurrentSchemaId != before;
    }

    /// <summary>
    /// Makes the spec with <paramref name="fields"/> (their ids are ignored) the table's default by partition evolution;
    /// appends then use it. False when it is the default already.
    /// </summary>
    public async Task<bool> SetDefaultPartitionSpecAsync(IReadOnlyList<PartitionField> fields, CancellationToken cancellationToken = default)
    {
        var before = Metadata.DefaultSpecId;
        await CommitMetadataAsync(table => table.WithDefaultPartitionSpec(fields, _warehouse.NowMs()), [], cancellationToken).ConfigureAwait(false);
        return Metadata.DefaultSpecId != before;
    }

    /// <summary>The manifests of <paramref name="snapshot"/> (those <paramref name="which"/> selects) with their entries.</summary>
    internal async Task<List<(ManifestFile Manifest, List<ManifestEntry> Entries)>> ReadManifestsAsync(TableMetadata table, Snapshot snapshot, CancellationToken cancellationToken,
        Func<ManifestFile, bool>? which = null)
    {
        var result = new List<(ManifestFile, List<ManifestEntry>)>();
        foreach (var manifest in ManifestListFile.Read(await Store.ReadAllAsync(snapshot.ManifestList, cancellationToken).ConfigureAwait(false)).Where(which ?? (_ => true)))
        {
            result.Add((manifest, ManifestEntriesFile.Read(await Store.ReadAllAsync(manifest.Path, cancellationToken).ConfigureAwait(false), table, manifest)));
        }

        return result;
    }

    private async Task<HashSet<string>> FilesAddedSinceAsync(TableMetadata table, long? seenSnapshotId, CancellationToken cancellationToken)
    {
        var added = new HashSet<string>(StringComparer.Ordinal);
        for (var snapshot = table.CurrentSnapshot; snapshot is not null && snapshot.SnapshotId != seenSnapshotId;
             snapshot = snapshot.ParentSnapshotId is { } p && table.Snapshots.Any(s => s.SnapshotId == p) ? table.SnapshotById(p) : null)
        {
            var id = snapshot.SnapshotId;
            foreach (var (_, entries) in await ReadManifestsAsync(table, snapshot, cancellationToken, m => m.AddedSnapshotId == id).ConfigureAwait(false))
            {
                added.UnionWith(entries.Where(e => e.Status == EntryStatus.Added && e.SnapshotId == snapshot.SnapshotId).Select(e => e.File.Path));
            }
        }

        return added;
    }

    private async Task<Snapshot> CommitAsync(SnapshotChange change, CommitOptions? options, CancellationToken cancellationToken)
    {
        options ??= CommitOptions.None;
        var summary = options.SummaryProperties ?? new Dictionary<string, string>();
        await CommitMetadataAsync(async (table, writer) =>
        {
            if (options.ValidateBase is { } validate) { await validate(table).ConfigureAwait(false); }
            return await writer.WriteAsync(table, change, summary, _warehouse.NowMs(), cancellationToken).ConfigureAwait(false);
        }, options.ExtraStatements ?? [], cancellationToken).ConfigureAwait(false);
        return Metadata.CurrentSnapshot!;
    }

    private Task CommitMetadataAsync(Func<TableMetadata, TableMetadata> change, IReadOnlyList<CommitStatement> extra, CancellationToken cancellationToken) =>
        CommitMetadataAsync((table, _) => Task.FromResult(change(table)), extra, cancellationToken);

    /// <summary>
    /// The commit protocol: build on the latest metadata, write the next numbered metadata file, swap the catalog
    /// pointer. A lost swap deletes this attempt's files at once (readers take the highest-numbered metadata file as
    /// current) and retries with backoff; an unknown outcome is resolved by re-reading the pointer, never by cleanup.
    /// </summary>
    internal async Task CommitMetadataAsync(Func<TableMetadata, SnapshotWriter, Task<TableMetadata>> build, IReadOnlyList<CommitStatement> extra, CancellationToken cancellationToken)
    {
        var wait = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
            var writer = new SnapshotWriter(Store);
            TableMetadata next;
            try
            {
                next = await build(Metadata, writer).ConfigureAwait(false);
            }
            catch
            {
                // A change that no longer applies leaves no manifests behind.
                await DeleteAllAsync(writer.Written).ConfigureAwait(false);
                throw;
            }

            if (ReferenceEquals(next, Metadata)) { return; }
            next = next with { MetadataLog = Metadata.MetadataLog.Append(new MetadataLogEntry(Metadata.LastUpdatedMs, MetadataLocation)).TakeLast(TableProperties.PreviousVersionsMax(next)).ToList() };
            var location = MetadataFileNames.Next(Metadata.Location, MetadataLocation);
            await Store.PutBytesAsync(location, TableMetadataJson.Write(next), cancellationToken).ConfigureAwait(false);
            writer.Written.Add(location);
            if (BeforeSwap is { } seam) { await seam().ConfigureAwait(false); }
            try
            {
                await _warehouse.Catalog.SwapAsync(Identifier, MetadataLocation, location, extra, cancellationToken).ConfigureAwait(false);
            }
            catch (CommitConflictException) when (attempt < _warehouse.CommitAttempts)
            {
                await DeleteAllAsync(writer.Written).ConfigureAwait(false);
                Log.CommitConflict(_warehouse.Logger, Identifier.ToString(), attempt);
                await Task.Delay(wait + TimeSpan.FromMilliseconds(Random.Shared.Next(50)), cancellationToken).ConfigureAwait(false);
                wait *= 2;
                continue;
            }
            catch (Exception ex) when (ex is CommitConflictException or CommitFailedException)
            {
                await DeleteAllAsync(writer.Written).ConfigureAwait(false);
                throw;
            }
            catch (DbException ex)
            {
                var committed = await _warehouse.Catalog.LoadLocationAsync(Identifier, CancellationToken.None).ConfigureAwait(false);
                if (committed != location) { throw new CommitStateUnknownException($"commit of {Identifier} to {location}: outcome unknown", ex); }
            }

            var previous = Metadata.MetadataLog.Select(e => e.MetadataFile).Append(MetadataLocation);
            MetadataLocation = location;
            Metadata = next;
            Log.Committed(_warehouse.Logger, Identifier.ToString(), Metadata.CurrentSnapshotId ?? -1, location);
            if (TableProperties.DeleteAfterCommit(next)) { await DeleteDroppedMetadataAsync(previous.Except(next.MetadataLog.Select(e => e.MetadataFile)).ToList()).ConfigureAwait(false); }
            return;
        }
    }

    /// <summary>
    /// Deletes the metadata files that left the metadata log with this commit (<c>write.metadata.delete-after-commit.enabled</c>).
    /// The commit has happened: a failed delete is logged and left to orphan cleanup.
    /// </summary>
    private async Task DeleteDroppedMetadataAsync(IReadOnlyList<string> dropped)
    {
        foreach (var uri in dropped)
        {
            try
            {
                await Store.DeleteAsync(uri, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Amazon.Runtime.AmazonServiceException)
            {
                Log.MetadataDeleteFailed(_warehouse.Logger, Identifier.ToString(), uri, ex);
            }
        }
    }

    private async Task DeleteAllAsync(IEnumerable<string> uris)
    {
        foreach (var uri in uris) { await Store.DeleteAsync(uri, CancellationToken.None).ConfigureAwait(false); }
    }
}
