using K2.Iceberg.Spec;
using K2.Iceberg.Tables;
using K2.Offload.Tables;
using K2.Offload.Watermarks;

namespace K2.Offload.Runs;

/// <summary>Points a test can fail a run at, as a crash would.</summary>
internal sealed class OffloadFaults
{
    /// <summary>After the data files are uploaded, before the catalog commit.</summary>
    public Func<ColdTable, Task>? BeforeCommit { get; set; }

    /// <summary>After the catalog commit, before the steps that follow it.</summary>
    public Func<ColdTable, Task>? AfterCommit { get; set; }
}

/// <summary>
/// The exactly-once commit of an offload: the new snapshot, its watermark in the summary and the
/// <c>offload_watermarks</c> rows go in one catalog transaction, and only if the table's committed watermark is still
/// the one this run started from (otherwise another offload got there first and this run's files are deleted).
/// </summary>
internal static class ColdCommit
{
    public static async Task<bool> CommitAsync(
        OffloadContext context,
        ColdTable table,
        IcebergTable iceberg,
        OffloadStart start,
        Watermark next,
        IReadOnlyDictionary<string, long> rowCounts,
        IReadOnlyList<DataFile> files,
        Func<DataFile, bool>? overwriteScope,
        CancellationToken cancellationToken)
    {
        if (context.Faults.BeforeCommit is { } before) { await before(table).ConfigureAwait(false); }
        var options = new CommitOptions(
            WatermarkStore.Upserts(table.Name, next, rowCounts, context.Time.GetUtcNow()),
            new Dictionary<string, string> { [Watermark.SummaryKey] = next.ToJson() },
            metadata => Watermark.Committed(metadata).SameAs(start.Committed)
                ? ValueTask.CompletedTask
                : throw new CommitValidationException($"{table.Identifier}: another offload committed since this run read watermark {start.Committed}"));
        try
        {
            if (overwriteScope is null) { await iceberg.AppendAsync(files, options, cancellationToken).ConfigureAwait(false); }
            else { await iceberg.OverwriteAsync(overwriteScope, files, options, cancellationToken).ConfigureAwait(false); }
        }
        catch (CommitValidationException ex)
        {
            Log.Superseded(context.Logger, table.Name, ex.Message);
            foreach (var file in files) { await context.Warehouse.Store.DeleteAsync(file.Path, CancellationToken.None).ConfigureAwait(false); }
            return false;
        }

        if (context.Faults.AfterCommit is { } after) { await after(table).ConfigureAwait(false); }
        return true;
    }
}
