using K2.Iceberg;
using K2.Iceberg.Avro;
using K2.Iceberg.Tables;
using K2.Maintenance;
using K2.Maintenance.Cleanup;
using K2.Maintenance.Compaction;
using K2.Offload.Tables;
using K2.Tests.Iceberg;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Tests.Maintenance;

/// <summary>Snapshot expiry and orphan cleanup delete exactly the unreferenced files, never those of a commit in flight.</summary>
[TestFixture]
public sealed class CleanupTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task Expiry_deletes_exactly_the_files_only_expired_snapshots_reference_and_chdb_still_reads_the_table()
    {
        var time = new ManualTime(Start);
        var warehouse = await ColdTableFixture.WarehouseAsync(time);
        var table = await ColdTableFixture.CreateAsync(warehouse, ColdTables.Silver);
        var appended = new List<string>();
        for (var day = 0; day < 6; day++)
        {
            time.Now = Start.AddDays(day);
            var files = await ColdTableFixture.WriteAsync(table, ColdTableFixture.SilverRows(day * 30, 30, ColdTableFixture.Hour0));
            appended.AddRange(files.Select(f => f.Path));
            await table.AppendAsync(files);
        }

        time.Now = Start.AddDays(6);
        await new TableCompactor(warehouse, HotColdPipeline.Gateway, new ColdSourceSql(new S3StorageOptions()), new MaintenanceOptions(), time, NullLogger.Instance).CompactAsync(table, CancellationToken.None);
        var rows = ColdTableFixture.ReadAll(table);
        var expiredLists = table.Metadata.Snapshots.SkipLast(1).Select(s => s.ManifestList).ToHashSet();
        var retainedManifests = ManifestListFile.Read(await warehouse.Store.ReadAllAsync(table.Metadata.CurrentSnapshot!.ManifestList, CancellationToken.None))
            .Select(m => m.Path).ToHashSet();
        var before = await ColdTableFixture.ListStoreAsync(warehouse, table);
        // Every earlier metadata file describes expired history; the one current before expiry describes the retained snapshot
        // and the expiry commit logs it in its metadata log.
        var oldMetadata = before.Where(f => f.EndsWith(".metadata.json", StringComparison.Ordinal) && f != table.MetadataLocation).ToHashSet();
        var oldManifests = before.Where(f => f.EndsWith(".avro", StringComparison.Ordinal) && !expiredLists.Contains(f) && !retainedManifests.Contains(f)
            && f != table.Metadata.CurrentSnapshot.ManifestList).ToHashSet();

        time.Now = Start.AddDays(6 + 8);
        var outcome = await new TableCleanup(warehouse, time).ExpireAsync(table, TimeSpan.FromDays(7), retainLast: 1, CancellationToken.None);

        var after = await ColdTableFixture.ListStoreAsync(warehouse, table);
        var deleted = before.Except(after).ToHashSet();
        oldManifests.Should().HaveCount(6);
        deleted.Should().BeEquivalentTo(appended.Concat(expiredLists).Concat(oldManifests).Concat(oldMetadata));
        outcome.SnapshotsExpired.Should().Be(6);
        outcome.FilesDeleted.Should().Be(deleted.Count);
        after.Except(await table.ListReferencedFilesAsync()).Should().BeEmpty("what remains is referenced");
        ColdTableFixture.ReadAll(table).Should().Be(rows);
    }

    [Test]
    public async Task Expiry_interleaved_with_an_offload_append_keeps_every_file_of_that_append()
    {
        var time = new ManualTime(Start);
        var warehouse = await ColdTableFixture.WarehouseAsync(time);
        var table = await ColdTableFixture.CreateAsync(warehouse, ColdTables.Silver);
        for (var day = 0; day < 4; day++)
        {
            time.Now = Start.AddDays(day);
            await ColdTableFixture.AppendBatchesAsync(table, batches: 1, rowsPerBatch: 10, firstId: day * 10);
        }

        var offload = await warehouse.LoadTableAsync(table.Identifier);
        IReadOnlyList<string> offloaded = [];
        var once = 0;
        table.BeforeSwap = async () =>
        {
            if (Interlocked.Exchange(ref once, 1) == 1) { return; }
            var files = await ColdTableFixture.WriteAsync(offload, ColdTableFixture.SilverRows(100, 10, ColdTableFixture.Hour0));
            offloaded = [.. files.Select(f => f.Path)];
            await offload.AppendAsync(files);
        };

        time.Now = Start.AddDays(20);
        var outcome = await new TableCleanup(warehouse, time).ExpireAsync(table, TimeSpan.FromDays(7), retainLast: 2, CancellationToken.None);

        once.Should().Be(1);
        outcome.SnapshotsExpired.Should().Be(3, "five snapshots after the offload's append, the newest two kept");
        var store = await ColdTableFixture.ListStoreAsync(warehouse, table);
        store.Should().Contain(offloaded);
        store.Should().Contain(offload.Metadata.CurrentSnapshot!.ManifestList);
        TestWarehouses.Query($"SELECT count(), uniqExact(kafka_offset) FROM {TestWarehouses.ChDbSource(table)}").Should().Be("50\t50");
    }

    [Test]
    public async Task Orphan_cleanup_deletes_old_unreferenced_files_and_spares_young_ones_of_a_commit_in_flight()
    {
        var warehouse = await ColdTableFixture.WarehouseAsync();
        var table = await ColdTableFixture.CreateAsync(warehouse, ColdTables.Silver);
        await ColdTableFixture.AppendBatchesAsync(table, batches: 3, rowsPerBatch: 10);

        // Leftovers of a crashed writer days ago: a data file and a manifest nobody references.
        var oldOrphans = new List<string>();
        foreach (var name in new[] { "data/crashed.parquet", "metadata/crashed-m0.avro" })
        {
            var uri = $"{table.Metadata.Location}/{name}";
            await warehouse.Store.PutBytesAsync(uri, [1, 2, 3], CancellationToken.None);
            File.SetLastWriteTimeUtc(K2.Iceberg.Storage.LocalObjectStore.ToPath(uri), DateTime.UtcNow.AddDays(-4));
            oldOrphans.Add(uri);
        }

        // An offload in flight: its data files are written but not committed yet.
        var offload = await warehouse.LoadTableAsync(table.Identifier);
        var inFlight = await ColdTableFixture.WriteAsync(offload, ColdTableFixture.SilverRows(100, 10, ColdTableFixture.Hour0));
        var before = await ColdTableFixture.ListStoreAsync(warehouse, table);

        var outcome = await new TableCleanup(warehouse, TimeProvider.System).RemoveOrphansAsync(table, TimeSpan.FromDays(3), CancellationToken.None);

        var after = await ColdTableFixture.ListStoreAsync(warehouse, table);
        before.Except(after).Should().BeEquivalentTo(oldOrphans);
        outcome.Should().Be(new OrphanOutcome(OrphansFound: 2 + inFlight.Count, OrphansDeleted: 2));
        await offload.AppendAsync(inFlight);
        TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(offload)}").Should().Be("40");
    }
}
