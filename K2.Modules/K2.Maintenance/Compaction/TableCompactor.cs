using K2.Iceberg.Spec;
using K2.Iceberg.Tables;
using Microsoft.Extensions.Logging;

namespace K2.Maintenance.Compaction;

/// <summary>What one table's compaction did (files and bytes of the live data files before and after).</summary>
public sealed record CompactionResult(int FilesBefore, long BytesBefore, int FilesAfter, long BytesAfter, int Groups, bool Aborted);

/// <summary>
/// Rewrites each planned group of small files into files near the target size (rows read back through the Iceberg
/// library) and commits all groups as one <c>replace</c> snapshot. A concurrent append is rebased by the library's
/// retry; if a concurrent commit removed a file being replaced, the commit is refused and this run aborts cleanly
/// (its new files are deleted), so no row is ever lost or doubled. Public for <c>k2 bench compaction</c>, which measures it
/// alone; the maintenance run is its user in the daemon.
/// </summary>
/// <param name="targetBytes">Size the rewritten files aim at; files below it are the small ones (<c>Modules:Maintenance:TargetFileSizeBytes</c>).</param>
/// <param name="minSmallFiles">A partition is compacted only from this many small files on (<c>Modules:Maintenance:MinSmallFiles</c>).</param>
public sealed class TableCompactor(IcebergWarehouse warehouse, long targetBytes, int minSmallFiles, ILogger logger)
{
    /// <summary>Compacts <paramref name="table"/>'s current snapshot; a table with nothing to compact is left as it is.</summary>
    public async Task<CompactionResult> CompactAsync(IcebergTable table, CancellationToken cancellationToken)
    {
        await table.RefreshAsync(cancellationToken).ConfigureAwait(false);
        var before = await table.ListDataFilesAsync(cancellationToken).ConfigureAwait(false);
        var groups = CompactionPlan.Groups(before, targetBytes, minSmallFiles);
        if (groups.Count == 0) { return Unchanged(before, aborted: false); }

        var replaced = groups.SelectMany(g => g).ToList();
        var added = new List<DataFile>();
        try
        {
            foreach (var group in groups) { added.AddRange(await RewriteAsync(table, group, cancellationToken).ConfigureAwait(false)); }
            var summary = new Dictionary<string, string> { ["k2.maintenance"] = "compaction" };
            await table.ReplaceAsync(replaced, added, new CommitOptions(SummaryProperties: summary), cancellationToken).ConfigureAwait(false);
        }
        catch (CommitValidationException ex)
        {
            await DeleteAsync(added).ConfigureAwait(false);
            Log.CompactionAborted(logger, table.Identifier.ToString(), ex.Message);
            return Unchanged(await table.ListDataFilesAsync(cancellationToken).ConfigureAwait(false), aborted: true);
        }
        catch
        {
            await DeleteAsync(added).ConfigureAwait(false);
            throw;
        }

        var after = await table.ListDataFilesAsync(cancellationToken).ConfigureAwait(false);
        Log.Compacted(logger, table.Identifier.ToString(), replaced.Count, added.Count, groups.Count);
        return new CompactionResult(before.Count, before.Sum(f => f.FileSizeInBytes), after.Count, after.Sum(f => f.FileSizeInBytes), groups.Count, Aborted: false);
    }

    private async Task<IReadOnlyList<DataFile>> RewriteAsync(IcebergTable table, IReadOnlyList<DataFile> group, CancellationToken cancellationToken)
    {
        await using var appender = table.NewAppender(targetBytes);
        foreach (var file in group)
        {
            await foreach (var row in table.ReadRowsAsync(file, cancellationToken).ConfigureAwait(false))
            {
                await appender.WriteAsync(row, cancellationToken).ConfigureAwait(false);
            }
        }

        var written = await appender.CompleteAsync(cancellationToken).ConfigureAwait(false);
        var expected = group.Sum(f => f.RecordCount);
        if (written.Sum(f => f.RecordCount) != expected)
        {
            throw new InvalidOperationException($"compaction of {table.Identifier} read {written.Sum(f => f.RecordCount)} rows from files holding {expected}");
        }

        return [.. written];
    }

    private async Task DeleteAsync(IEnumerable<DataFile> files)
    {
        foreach (var file in files) { await warehouse.Store.DeleteAsync(file.Path, CancellationToken.None).ConfigureAwait(false); }
    }

    private static CompactionResult Unchanged(IReadOnlyList<DataFile> files, bool aborted) =>
        new(files.Count, files.Sum(f => f.FileSizeInBytes), files.Count, files.Sum(f => f.FileSizeInBytes), 0, aborted);
}
