namespace K2.Iceberg.Spec;

public static class Operations
{
    public const string Append = "append";
    public const string Replace = "replace";
    public const string Overwrite = "overwrite";
    public const string Delete = "delete";
}

public sealed record Snapshot(
    long SnapshotId,
    long? ParentSnapshotId,
    long SequenceNumber,
    long TimestampMs,
    string ManifestList,
    IReadOnlyDictionary<string, string> Summary,
    int SchemaId)
{
    public string Operation => Summary["operation"];

    public long TotalRecords => Total("total-records");

    public long TotalDataFiles => Total("total-data-files");

    public long TotalFilesSize => Total("total-files-size");

    private long Total(string key) => long.Parse(Summary.GetValueOrDefault(key, "0"), System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record SnapshotLogEntry(long TimestampMs, long SnapshotId);

public sealed record MetadataLogEntry(long TimestampMs, string MetadataFile);
