namespace K2.Iceberg.Spec;

/// <summary>A Parquet data file as manifests describe it (spec "data_file", content 0).</summary>
public sealed record DataFile(
    string Path,
    int SpecId,
    PartitionKey Partition,
    long RecordCount,
    long FileSizeInBytes,
    IReadOnlyDictionary<int, long> ColumnSizes,
    IReadOnlyDictionary<int, long> ValueCounts,
    IReadOnlyDictionary<int, long> NullValueCounts,
    IReadOnlyDictionary<int, byte[]> LowerBounds,
    IReadOnlyDictionary<int, byte[]> UpperBounds,
    IReadOnlyList<long> SplitOffsets,
    int? SortOrderId = null);

public enum EntryStatus { Existing = 0, Added = 1, Deleted = 2 }

/// <summary>A manifest row. Sequence numbers are null on ADDED entries of the manifest being written (inherited).</summary>
public sealed record ManifestEntry(EntryStatus Status, long? SnapshotId, long? SequenceNumber, long? FileSequenceNumber, DataFile File);

/// <summary>A manifest-list row (spec "manifest_file").</summary>
public sealed record ManifestFile(
    string Path,
    long Length,
    int SpecId,
    long SequenceNumber,
    long MinSequenceNumber,
    long AddedSnapshotId,
    int AddedFilesCount,
    int ExistingFilesCount,
    int DeletedFilesCount,
    long AddedRowsCount,
    long ExistingRowsCount,
    long DeletedRowsCount,
    IReadOnlyList<FieldSummary> Partitions);

public sealed record FieldSummary(bool ContainsNull, byte[]? LowerBound, byte[]? UpperBound);
