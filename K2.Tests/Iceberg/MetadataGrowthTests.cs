using System.Collections.Concurrent;
using K2.Iceberg;
using K2.Iceberg.Avro;
using K2.Iceberg.Catalog;
using K2.Iceberg.Spec;
using K2.Iceberg.Storage;
using K2.Iceberg.Tables;

namespace K2.Tests.Iceberg;

/// <summary>
/// Metadata that does not grow with the table's age: fast appends, manifest merge, empty manifests dropped, expiry
/// reading each manifest once, old metadata files deleted after commit and manifests rewritten by partition; chDB reads
/// the table after every kind of commit.
/// </summary>
[TestFixture]
public sealed class MetadataGrowthTests
{
    [Test]
    public async Task An_append_reads_the_parent_manifest_list_and_no_manifest()
    {
        var (table, store) = await CreateAsync(new Dictionary<string, string> { [TableProperties.ManifestMinCountToMerge] = "1000" });
        for (var c = 0; c < 12; c++) { await AppendAsync(table, c); }
        store.Reads.Clear();

        await AppendAsync(table, 12);

        store.Reads.Keys.Where(IsManifest).Should().BeEmpty("a fast append carries the manifest list forward");
        store.Reads.Keys.Where(u => u.Contains("/snap-", StringComparison.Ordinal)).Should().ContainSingle();
        (await ManifestsAsync(table)).Should().HaveCount(13);
        table.Metadata.CurrentSnapshot!.Summary["total-records"].Should().Be("130");
        table.Metadata.CurrentSnapshot!.Summary["total-data-files"].Should().Be("13");
        TestWarehouses.Query($"SELECT count(), uniqExact(trade_id) FROM {TestWarehouses.ChDbSource(table)}").Should().Be("130\t130");
    }

    [Test]
    public async Task Manifests_merge_once_min_count_is_reached_and_the_properties_are_honoured()
    {
        var (merged, _) = await CreateAsync(new Dictionary<string, string> { [TableProperties.ManifestMinCountToMerge] = "5" }, "merged");
        var (unmerged, _) = await CreateAsync(new Dictionary<string, string> { [TableProperties.ManifestMergeEnabled] = "false" }, "unmerged");
        var (tiny, _) = await CreateAsync(new Dictionary<string, string> { [TableProperties.ManifestMinCountToMerge] = "2", [TableProperties.ManifestTargetSizeBytes] = "1" }, "tiny");
        var counts = new List<int>();
        for (var c = 0; c < 12; c++)
        {
            await AppendAsync(merged, c);
            await AppendAsync(unmerged, c);
            await AppendAsync(tiny, c);
            counts.Add((await ManifestsAsync(merged)).Count);
        }

        counts.Should().Equal(1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4);
        (await ManifestsAsync(unmerged)).Should().HaveCount(12, "commit.manifest-merge.enabled=false");
        (await ManifestsAsync(tiny)).Should().HaveCount(12, "no two manifests fit commit.manifest.target-size-bytes=1");

        var entries = await EntriesAsync(merged);
        entries.Should().HaveCount(12);
        entries.Where(e => e.Status == EntryStatus.Added).Should().HaveCount(4, "the last merge was at the 9th append; 3 appends followed");
        entries.Select(e => e.SequenceNumber).Should().BeEquivalentTo(Enumerable.Range(1, 12).Select(i => (long?)i), "merged entries keep their data sequence numbers");
        (await merged.ListDataFilesAsync()).Should().HaveCount(12);
        TestWarehouses.Query($"SELECT count(), uniqExact(trade_id), min(trade_id), max(trade_id) FROM {TestWarehouses.ChDbSource(merged)}").Should().Be("120\t120\t0\t119");
        TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(merged)} WHERE exchange_ts >= '2026-03-02 00:00:00'").Should().Be("60");
    }

    [Test]
    public async Task A_manifest_with_no_live_entry_is_dropped_at_the_next_commit()
    {
        var (table, _) = await CreateAsync(new Dictionary<string, string> { [TableProperties.ManifestMergeEnabled] = "false" });
        for (var c = 0; c < 4; c++) { await AppendAsync(table, c); }
        var small = await table.ListDataFilesAsync();
        var rows = new List<object?[]>();
        foreach (var file in small) { await foreach (var row in table.ReadRowsAsync(file)) { rows.Add(row); } }
        await table.ReplaceAsync(small, await SilverLikeTable.WriteAsync(table, rows));
        var afterReplace = await ManifestsAsync(table);
        afterReplace.Where(m => m.AddedFilesCount + m.ExistingFilesCount == 0).Should().ContainSingle("the replace records the deletions of all four manifests in one")
            .Which.DeletedFilesCount.Should().Be(4);
        TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(table)}").Should().Be("40");

        await AppendAsync(table, 4);

        var manifests = await ManifestsAsync(table);
        manifests.Should().HaveCount(2).And.OnlyContain(m => m.AddedFilesCount + m.ExistingFilesCount > 0);
        table.Metadata.CurrentSnapshot!.Summary["total-records"].Should().Be("50");
        TestWarehouses.Query($"SELECT count(), uniqExact(trade_id) FROM {TestWarehouses.ChDbSource(table)}").Should().Be("50\t50");
    }

    [Test]
    public async Task Expiry_and_the_referenced_file_set_read_each_manifest_once()
    {
        var (table, store) = await CreateAsync(new Dictionary<string, string> { [TableProperties.ManifestMinCountToMerge] = "8" });
        for (var c = 0; c < 20; c++) { await AppendAsync(table, c); }
        store.Reads.Clear();

        var result = await table.ExpireSnapshotsAsync(DateTimeOffset.UtcNow.AddMinutes(1), retainLast: 1);

        result.ExpiredSnapshots.Should().Be(19);
        store.Reads.Where(r => IsManifest(r.Key)).Should().OnlyContain(r => r.Value == 1);
        store.Reads.Where(r => r.Key.Contains("/snap-", StringComparison.Ordinal)).Should().OnlyContain(r => r.Value == 1);
        store.Reads.Clear();
        var referenced = await table.ListReferencedFilesAsync();
        store.Reads.Where(r => IsManifest(r.Key)).Should().OnlyContain(r => r.Value == 1);
        referenced.Count(u => u.EndsWith(".parquet", StringComparison.Ordinal)).Should().Be(20);
        TestWarehouses.Query($"SELECT count(), uniqExact(trade_id) FROM {TestWarehouses.ChDbSource(table)}").Should().Be("200\t200");
    }

    [Test]
    public async Task Previous_metadata_files_beyond_previous_versions_max_are_deleted_after_commit()
    {
        var (kept, _) = await CreateAsync(new Dictionary<string, string> { [TableProperties.MetadataPreviousVersionsMax] = "3" }, "kept");
        var (piled, _) = await CreateAsync(new Dictionary<string, string>
        {
            [TableProperties.MetadataPreviousVersionsMax] = "3", [TableProperties.MetadataDeleteAfterCommit] = "false",
        }, "piled");
        for (var c = 0; c < 10; c++)
        {
            await AppendAsync(kept, c);
            await AppendAsync(piled, c);
        }

        await kept.ExpireSnapshotsAsync(DateTimeOffset.UtcNow.AddMinutes(1), retainLast: 5);

        var files = await MetadataFilesAsync(kept);
        kept.Metadata.MetadataLog.Should().HaveCount(3);
        files.Should().BeEquivalentTo(kept.Metadata.MetadataLog.Select(e => e.MetadataFile).Append(kept.MetadataLocation),
            "the metadata log names exactly the previous files that still exist");
        kept.Metadata.MetadataLog.Select(e => MetadataFileNames.VersionOf(e.MetadataFile)).Should().Equal(8, 9, 10);
        (await MetadataFilesAsync(piled)).Should().HaveCount(11, "write.metadata.delete-after-commit.enabled=false keeps them");
        piled.Metadata.MetadataLog.Should().HaveCount(3);
        TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(kept)}").Should().Be("100");
        TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(piled)}").Should().Be("100");
    }

    [Test]
    public async Task Rewriting_manifests_clusters_entries_by_partition_and_keeps_files_and_sequence_numbers()
    {
        var (table, _) = await CreateAsync(new Dictionary<string, string> { [TableProperties.ManifestMergeEnabled] = "false" });
        for (var c = 0; c < 20; c++) { await AppendAsync(table, c); }
        var before = await ManifestsAsync(table);
        var filesBefore = await table.ListDataFilesAsync();
        var totals = table.Metadata.CurrentSnapshot!.Summary.Where(p => p.Key.StartsWith("total-", StringComparison.Ordinal)).ToList();

        var rewritten = await table.RewriteManifestsAsync((before.Sum(m => m.Length) / 2) + 1);

        rewritten.Should().BeTrue();
        var snapshot = table.Metadata.CurrentSnapshot!;
        snapshot.Operation.Should().Be(K2.Iceberg.Spec.Operations.Replace);
        snapshot.Summary.Where(p => p.Key.StartsWith("total-", StringComparison.Ordinal)).Should().BeEquivalentTo(totals);
        var manifests = await ManifestsAsync(table);
        manifests.Should().HaveCount(2);
        var entries = await EntriesAsync(table);
        entries.Should().OnlyContain(e => e.Status == EntryStatus.Existing);
        entries.Select(e => e.SequenceNumber).Should().BeEquivalentTo(Enumerable.Range(1, 20).Select(i => (long?)i));
        foreach (var manifest in manifests)
        {
            manifest.Partitions.Single().LowerBound.Should().Equal(manifest.Partitions.Single().UpperBound, "each manifest holds one day");
        }

        (await table.ListDataFilesAsync()).Select(f => f.Path).Should().BeEquivalentTo(filesBefore.Select(f => f.Path));
        (await table.RewriteManifestsAsync(targetBytes: 1)).Should().BeFalse("no manifest is below a target of one byte");
        TestWarehouses.Query($"SELECT count(), uniqExact(trade_id) FROM {TestWarehouses.ChDbSource(table)}").Should().Be("200\t200");
        TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(table)} WHERE exchange_ts < '2026-03-02 00:00:00'").Should().Be("100");
    }

    /// <summary>Commit <paramref name="c"/>: ten rows, on day 1 for even commits and day 2 for odd ones.</summary>
    private static async Task AppendAsync(IcebergTable table, int c) =>
        await table.AppendAsync(await SilverLikeTable.WriteAsync(table,
            Enumerable.Range(c * 10, 10).Select(i => SilverLikeTable.Row(i, SilverLikeTable.Day1.AddDays(c % 2)))));

    private static async Task<(IcebergTable Table, CountingStore Store)> CreateAsync(IReadOnlyDictionary<string, string> properties, string name = "trades")
    {
        var root = TestWarehouses.LocalRoot();
        var store = new CountingStore(new LocalObjectStore(Path.Combine(root, "warehouse")));
        var warehouse = new IcebergWarehouse(IcebergModule.SqliteCatalog("k2", Path.Combine(root, "catalog.db")), store, TestWarehouses.SmallFiles, TimeProvider.System);
        await warehouse.StartAsync();
        var table = await warehouse.CreateTableAsync(new TableIdentifier("k2", name), SilverLikeTable.Schema, SilverLikeTable.ByDay, properties: properties);
        return (table, store);
    }

    private static async Task<IReadOnlyList<ManifestFile>> ManifestsAsync(IcebergTable table) =>
        ManifestListFile.Read(await File.ReadAllBytesAsync(LocalObjectStore.ToPath(table.Metadata.CurrentSnapshot!.ManifestList)));

    private static async Task<List<ManifestEntry>> EntriesAsync(IcebergTable table)
    {
        var entries = new List<ManifestEntry>();
        foreach (var manifest in await ManifestsAsync(table))
        {
            entries.AddRange(ManifestEntriesFile.Read(await File.ReadAllBytesAsync(LocalObjectStore.ToPath(manifest.Path)), table.Metadata, manifest));
        }

        return entries;
    }

    private static Task<string[]> MetadataFilesAsync(IcebergTable table) =>
        Task.FromResult(Directory.GetFiles(LocalObjectStore.ToPath(table.Metadata.Location + "/metadata"), "*.metadata.json")
            .Select(p => table.Metadata.Location + "/metadata/" + Path.GetFileName(p)).ToArray());

    private static bool IsManifest(string uri) => uri.EndsWith(".avro", StringComparison.Ordinal) && !uri.Contains("/snap-", StringComparison.Ordinal);

    /// <summary>An object store that counts reads per object.</summary>
    private sealed class CountingStore(IObjectStore inner) : IObjectStore
    {
        public ConcurrentDictionary<string, int> Reads { get; } = new(StringComparer.Ordinal);

        public string WarehouseUri => inner.WarehouseUri;

        public Task MoveFileAsync(string uri, string localPath, CancellationToken cancellationToken) => inner.MoveFileAsync(uri, localPath, cancellationToken);

        public Task PutBytesAsync(string uri, byte[] content, CancellationToken cancellationToken) => inner.PutBytesAsync(uri, content, cancellationToken);

        public Task<byte[]> ReadAllAsync(string uri, CancellationToken cancellationToken)
        {
            Reads.AddOrUpdate(uri, 1, (_, n) => n + 1);
            return inner.ReadAllAsync(uri, cancellationToken);
        }

        public Task DownloadAsync(string uri, string localPath, CancellationToken cancellationToken) => inner.DownloadAsync(uri, localPath, cancellationToken);

        public Task<bool> ExistsAsync(string uri, CancellationToken cancellationToken) => inner.ExistsAsync(uri, cancellationToken);

        public Task DeleteAsync(string uri, CancellationToken cancellationToken) => inner.DeleteAsync(uri, cancellationToken);

        public IAsyncEnumerable<StoredObject> ListAsync(string prefixUri, CancellationToken cancellationToken) => inner.ListAsync(prefixUri, cancellationToken);
    }
}
