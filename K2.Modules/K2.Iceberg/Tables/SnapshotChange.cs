using K2.Iceberg.Catalog;
using K2.Iceberg.Spec;

namespace K2.Iceberg.Tables;

/// <summary>What a commit does to the current snapshot's files.</summary>
/// <param name="Operation">Snapshot operation (append, replace, overwrite, delete).</param>
/// <param name="Added">New data files.</param>
/// <param name="Removed">Chooses, among the files live at commit time, those the commit deletes; null for an append, which then reads no manifest.</param>
/// <param name="Validate">Runs against each attempt's base (after a conflict too) and throws when the change no longer applies.</param>
internal sealed record SnapshotChange(
    string Operation,
    IReadOnlyList<DataFile> Added,
    Func<DataFile, bool>? Removed,
    Func<TableMetadata, IReadOnlyList<DataFile>, IReadOnlyList<DataFile>, ValueTask> Validate);

/// <summary>Options of one commit.</summary>
/// <param name="ExtraStatements">Run in the catalog transaction that swaps the metadata pointer.</param>
/// <param name="SummaryProperties">Added to the snapshot summary (string values).</param>
/// <param name="ValidateBase">
/// Runs against each attempt's base metadata (after a conflict too), before anything is written; throws
/// <see cref="CommitValidationException"/> when the commit no longer applies (e.g. another writer moved a watermark).
/// </param>
public sealed record CommitOptions(IReadOnlyList<CommitStatement>? ExtraStatements = null, IReadOnlyDictionary<string, string>? SummaryProperties = null,
    Func<TableMetadata, ValueTask>? ValidateBase = null)
{
    public static readonly CommitOptions None = new();
}

/// <summary>A change that no longer applies to the table (a file to replace is gone, data to overwrite changed).</summary>
public sealed class CommitValidationException(string message) : Exception(message);
