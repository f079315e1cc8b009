using System.Globalization;
using K2.Iceberg.Spec;

namespace K2.Iceberg.Tables;

/// <summary>
/// The table properties the writer honours, with Iceberg's names. Defaults are Java's (<c>TableProperties</c>) except
/// <see cref="MetadataDeleteAfterCommit"/>: K2 commits 96 times a day per table, so a table without the property (one
/// created before K2 wrote it) deletes its old metadata files too.
/// </summary>
public static class TableProperties
{
    public const string ManifestMergeEnabled = "commit.manifest-merge.enabled";
    public const string ManifestMinCountToMerge = "commit.manifest.min-count-to-merge";
    public const string ManifestTargetSizeBytes = "commit.manifest.target-size-bytes";
    public const string MetadataDeleteAfterCommit = "write.metadata.delete-after-commit.enabled";
    public const string MetadataPreviousVersionsMax = "write.metadata.previous-versions-max";

    internal static bool MergeEnabled(TableMetadata table) => Bool(table, ManifestMergeEnabled, true);

    internal static int MinCountToMerge(TableMetadata table) => (int)Long(table, ManifestMinCountToMerge, 100);

    internal static long ManifestTargetBytes(TableMetadata table) => Long(table, ManifestTargetSizeBytes, 8L << 20);

    internal static bool DeleteAfterCommit(TableMetadata table) => Bool(table, MetadataDeleteAfterCommit, true);

    internal static int PreviousVersionsMax(TableMetadata table) => (int)Math.Max(1, Long(table, MetadataPreviousVersionsMax, 100));

    private static bool Bool(TableMetadata table, string key, bool fallback) =>
        table.Properties.TryGetValue(key, out var text) && bool.TryParse(text, out var value) ? value : fallback;

    private static long Long(TableMetadata table, string key, long fallback) =>
        table.Properties.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
