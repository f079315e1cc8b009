using K2.ClickHouse.Gateway;
using K2.Iceberg.Spec;
using K2.Iceberg.Tables;
using Microsoft.Extensions.Logging;

namespace K2.Maintenance.Compaction;

/// <summary>What one table's compaction did (files and bytes of the live data files before and after).</summary>
public sealed record CompactionResult(int FilesBefore, long BytesBefore, int FilesAfter, long BytesAfter, int Groups, bool Aborted);

/// <summary>
/// Rewrites each planned group of small files (one partition of the default spec) into one file: ClickHouse reads the group's Parquet files,
/// sorts the rows in the table's sort order (spilling to disk beyond <see cref="SortMemoryBytes"/>) and writes them
/// with its own Parquet encoder, the path the offload's files take; the file is then checked against the table schema,
/// given its field ids and uploaded. All groups are committed as one <c>replace</c> snapshot. A concurrent append is rebased by the library's
/// retry; if a concurrent commit removed a file being replaced, the commit is refused and this run aborts cleanly
/// (its new files are deleted), so no row is ever lost or doubled. Public for <c>k2 bench compaction</c>, which measures it
/// alone; the maintenance run is its user in the daemon.
/// </summary>
/// <param name="clickHouse">The engine that reads, sorts and writes the rows; it must reach the warehouse (a local warehouse under its user_files_path).</param>
/// <param name="source">How ClickHouse reads data files of the warehouse.</param>
/// <param name="options">
/// The target file size (files below it are the small ones), the small files a day needs, the groups rewritten at
/// the same time (the largest first: a ClickHouse server runs their statements side by side; the embedded engine runs one
/// statement at a time, so there only a group's check and upload overlap the next group's statement) and the days after
/// which a month's files are packed together.
/// </param>
/// <param name="time">The clock that tells which months are due.</param>
public sealed class TableCompactor(IcebergWarehouse warehouse, IClickHouseGateway clickHouse, ColdSourceSql source, MaintenanceOptions options, TimeProvider time,
    ILogger logger)
{
    /// <summary>
    /// Memory the sort of one group may hold before ClickHouse spills sorted runs to disk. 128 MiB rather than 64: on a
    /// 3.75 M-row group half as many runs are spilled and merged back, which took about 5 % less time in 5 of 6 paired
    /// runs and held less (606–642 MB against 662–705 MB); 256 MiB gained nothing more and 512 MiB held 920–980 MB.
    /// </summary>
    public const long SortMemoryBytes = 128L << 20;

    /// <summary>
    /// The sort spills beyond <see cref="SortMemoryBytes"/> only when the ratio-based threshold (ClickHouse's default: half
    /// the memory limit, which an embedded engine does not set) is off: with it the byte limit was ignored and a 3.75 M-row
    /// group held 1.2 GB. Small blocks keep the merge of the spilled runs small (one block per run is read back at a time):
    /// 8 Ki rows held 400–600 MB where the default 64 Ki held 730 MB (and 16/32/64 Ki blocks were no faster on the same
    /// group, holding 750–1,450 MB). The spilled runs are written uncompressed: they live for seconds in the page cache,
    /// and the 3.75 M-row group's statement took 3.43 / 2.59 / 2.51 s that way against 3.94 / 3.08 / 3.36 s with the default
    /// LZ4 (first, second and third statement in one process; docs/maintenance.md).
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>(DataFileParquet.Settings)
    {
        ["max_bytes_before_external_sort"] = SortMemoryBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["max_bytes_ratio_before_external_sort"] = "0",
        ["max_block_size"] = "8192",
        ["temporary_files_codec"] = "NONE",
    };

    /// <summary>
    /// A recent day's file lives only until its month is packed (at most a month and <c>PackMonthsAfterDays</c>), so it is
    /// written with zstd level 1: <c>k2 bench compaction</c> ran 6–20 % faster in four paired runs, for files 6 % larger.
    /// A packed month is kept for good and gets the offload's level (zstd's default, 3).
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> DaySettings = new Dictionary<string, string>(Settings)
    {
        ["output_format_compression_level"] = "1",
    };

    /// <summary>Compacts <paramref name="table"/>'s current snapshot; a table with nothing to compact is left as it is.</summary>
    public async Task<CompactionResult> CompactAsync(IcebergTable table, CancellationToken cancellationToken)
    {
        await table.RefreshAsync(cancellationToken).ConfigureAwait(false);
        var before = await table.ListDataFilesAsync(cancellationToken).ConfigureAwait(false);
        var periods = CompactionPeriods.For(table.Metadata, TimeSpan.FromDays(options.PackMonthsAfterDays), time.GetUtcNow());
        var groups = CompactionPlan.Groups(before, options.TargetFileSizeBytes, options.MinSmallFiles, periods);
        if (groups.Count == 0) { return Unchanged(before, aborted: false); }

        var replaced = groups.SelectMany(g => g.Files).ToList();
        var rewritten = new DataFile?[groups.Count];
        var added = new List<DataFile>();
        try
        {
            var largestFirst = Enumerable.Range(0, groups.Count).OrderByDescending(i => groups[i].Files.Sum(f => f.FileSizeInBytes));
            try
            {
                await Parallel.ForEachAsync(largestFirst, new ParallelOptions { MaxDegreeOfParallelism = options.CompactionParallelGroups, CancellationToken = cancellationToken },
                    async (i, token) => rewritten[i] = await RewriteAsync(table, groups[i], token).ConfigureAwait(false)).ConfigureAwait(false);
            }
            finally
            {
                // Every rewrite has ended here, failed or not: the files of those that succeeded are the ones to delete on failure.
                added.AddRange(rewritten.OfType<DataFile>());
            }

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

        // The commit's totals say what is live now (with any append it was rebased onto), without reading a manifest again.
        var after = table.Metadata.CurrentSnapshot!;
        Log.Compacted(logger, table.Identifier.ToString(), replaced.Count, added.Count, groups.Count);
        return new CompactionResult(before.Count, before.Sum(f => f.FileSizeInBytes), checked((int)after.TotalDataFiles), after.TotalFilesSize, groups.Count, Aborted: false);
    }

    private async Task<DataFile> RewriteAsync(IcebergTable table, CompactionGroup group, CancellationToken cancellationToken)
    {
        var metadata = table.Metadata;
        var schema = metadata.CurrentSchema;
        var spec = metadata.SpecById(group.SpecId);
        // A column the partition takes as it is (silver's exchange) has one value in the group: sorting on it only costs.
        var constant = spec.Fields.Where(f => f.Transform == Transform.Identity).Select(f => f.SourceId).ToHashSet();
        var order = metadata.DefaultSortOrder.Fields.Where(f => f.Transform == Transform.Identity && !constant.Contains(f.SourceId))
            .Select(f => $"`{schema.Field(f.SourceId).Name}`{(f.Ascending ? "" : " DESC")}").ToList();
        var sql = $"SELECT * FROM {source.ForDataFiles([.. group.Files.Select(f => f.Path)], ClickHouseColumnTypes.Structure(schema))}" +
            (order.Count == 0 ? "" : $" ORDER BY {string.Join(", ", order)}");
        var folder = Directory.CreateTempSubdirectory("k2-compaction-").FullName;
        try
        {
            await clickHouse.ExportParquetAsync(sql, "'group'", ["group"], order, folder, group.PacksMonth ? Settings : DaySettings, cancellationToken).ConfigureAwait(false);
            var written = await table.ImportDataFileAsync(Path.Combine(folder, "group.parquet"), spec, group.Partition, cancellationToken).ConfigureAwait(false);
            var expected = group.Files.Sum(f => f.RecordCount);
            if (written?.RecordCount != expected)
            {
                if (written is not null) { await DeleteAsync([written]).ConfigureAwait(false); }
                throw new InvalidOperationException($"compaction of {table.Identifier} wrote {written?.RecordCount ?? 0} rows from files holding {expected}");
            }

            return written;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task DeleteAsync(IEnumerable<DataFile> files)
    {
        foreach (var file in files) { await warehouse.Store.DeleteAsync(file.Path, CancellationToken.None).ConfigureAwait(false); }
    }

    private static CompactionResult Unchanged(IReadOnlyList<DataFile> files, bool aborted) =>
        new(files.Count, files.Sum(f => f.FileSizeInBytes), files.Count, files.Sum(f => f.FileSizeInBytes), 0, aborted);
}
