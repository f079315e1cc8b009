using K2.Iceberg;
using K2.Iceberg.Spec;
using K2.Iceberg.Tables;
using K2.Maintenance;
using K2.Maintenance.Compaction;
using K2.Offload.Tables;
using K2.Tests.Iceberg;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Tests.Maintenance;

/// <summary>Bin-pack compaction of a cold table, checked through chDB's Iceberg reader, also against a concurrent offload.</summary>
[TestFixture]
public sealed class CompactionTests
{
    private const long Target = 128L << 20;

    private static TableCompactor Compactor(IcebergWarehouse warehouse, int minSmallFiles = 5, int parallelGroups = 2, TimeProvider? time = null) =>
        new(warehouse, HotColdPipeline.Gateway, new ColdSourceSql(new S3StorageOptions()),
            new MaintenanceOptions { TargetFileSizeBytes = Target, MinSmallFiles = minSmallFiles, CompactionParallelGroups = parallelGroups },
            time ?? new ManualTime(new DateTimeOffset(ColdTableFixture.Hour0.AddDays(1))), NullLogger.Instance);

    [Test]
    public async Task Many_small_files_become_one_per_partition_with_identical_rows_in_a_replace_snapshot()
    {
        var warehouse = await ColdTableFixture.WarehouseAsync();
        var table = await ColdTableFixture.CreateAsync(warehouse, ColdTables.Silver);
        await ColdTableFixture.AppendBatchesAsync(table, batches: 12, rowsPerBatch: 25);
        await ColdTableFixture.AppendBatchesAsync(table, batches: 3, rowsPerBatch: 25, firstId: 1000, exchange: "kraken");
        var rowsBefore = ColdTableFixture.ReadAll(table);

        var result = await Compactor(warehouse).CompactAsync(table, CancellationToken.None);

        // binance: 12 small files → 1; kraken: 3 small files is below MinSmallFiles (5) and is left alone.
        result.Should().BeEquivalentTo(new { FilesBefore = 15, FilesAfter = 4, Groups = 1, Aborted = false });
        result.BytesAfter.Should().BeLessThan(result.BytesBefore);
        (await table.ListDataFilesAsync()).Should().HaveCount(4);
        table.Metadata.CurrentSnapshot!.Operation.Should().Be(K2.Iceberg.Spec.Operations.Replace);
        table.Metadata.CurrentSnapshot.Summary["deleted-data-files"].Should().Be("12");
        table.Metadata.CurrentSnapshot.Summary["total-records"].Should().Be("375");
        ColdTableFixture.ReadAll(table).Should().Be(rowsBefore);
        rowsBefore.Split('\n').Should().HaveCount(375);
    }

    [Test]
    public async Task Groups_rewritten_at_the_same_time_keep_every_row_once_in_one_replace_snapshot()
    {
        var (warehouse, table) = await ThreeExchangesAsync((6, 30), (5, 20), (7, 10));
        var rowsBefore = ColdTableFixture.ReadAll(table);
        var snapshotsBefore = table.Metadata.Snapshots.Count;

        var result = await Compactor(warehouse, parallelGroups: 3).CompactAsync(table, CancellationToken.None);

        result.Should().BeEquivalentTo(new { FilesBefore = 18, FilesAfter = 3, Groups = 3, Aborted = false });
        table.Metadata.Snapshots.Should().HaveCount(snapshotsBefore + 1, "all groups are committed together");
        table.Metadata.CurrentSnapshot!.Operation.Should().Be(K2.Iceberg.Spec.Operations.Replace);
        table.Metadata.CurrentSnapshot.Summary["deleted-data-files"].Should().Be("18");
        table.Metadata.CurrentSnapshot.Summary["added-data-files"].Should().Be("3");
        (await table.ListDataFilesAsync()).Select(f => f.RecordCount).Should().BeEquivalentTo(new long[] { 180, 100, 70 });
        ColdTableFixture.ReadAll(table).Should().Be(rowsBefore);
    }

    [Test]
    public async Task A_group_that_fails_while_others_are_rewritten_leaves_the_table_and_its_files_as_they_were()
    {
        // The smallest group (coinbase), rewritten last, cannot be read: the other groups' new files exist by then.
        var (warehouse, table) = await ThreeExchangesAsync((6, 30), (6, 30), (5, 5));
        var lost = (await table.ListDataFilesAsync()).First(f => f.RecordCount == 5).Path;
        await warehouse.Store.DeleteAsync(lost, CancellationToken.None);
        var storeBefore = await ColdTableFixture.ListStoreAsync(warehouse, table);
        var snapshot = table.Metadata.CurrentSnapshotId;

        var compaction = () => Compactor(warehouse, parallelGroups: 3).CompactAsync(table, CancellationToken.None);

        await compaction.Should().ThrowAsync<Exception>();
        (await ColdTableFixture.ListStoreAsync(warehouse, table)).Should().BeEquivalentTo(storeBefore, "the groups that were rewritten had their files deleted");
        table.Metadata.CurrentSnapshotId.Should().Be(snapshot);
        (await warehouse.LoadTableAsync(table.Identifier)).Metadata.CurrentSnapshotId.Should().Be(snapshot);
    }

    [Test]
    public async Task A_partition_with_too_few_small_files_is_left_alone()
    {
        var warehouse = await ColdTableFixture.WarehouseAsync();
        var table = await ColdTableFixture.CreateAsync(warehouse, ColdTables.Silver);
        await ColdTableFixture.AppendBatchesAsync(table, batches: 4, rowsPerBatch: 10);
        var snapshot = table.Metadata.CurrentSnapshotId;

        var result = await Compactor(warehouse).CompactAsync(table, CancellationToken.None);

        result.Should().BeEquivalentTo(new { FilesBefore = 4, FilesAfter = 4, Groups = 0, Aborted = false });
        table.Metadata.CurrentSnapshotId.Should().Be(snapshot);
    }

    [Test]
    public async Task An_offload_appending_during_the_commit_is_rebased_and_no_row_is_lost_or_doubled()
    {
        var (warehouse, table, interleaved) = await SixSmallFilesWithAnOffloadBeforeTheSwapAsync(async offload =>
            await offload.AppendAsync(await ColdTableFixture.WriteAsync(offload, ColdTableFixture.SilverRows(500, 20, ColdTableFixture.Hour0))));

        var result = await Compactor(warehouse).CompactAsync(table, CancellationToken.None);

        result.Aborted.Should().BeFalse();
        interleaved().Should().Be(1);
        (await table.ListDataFilesAsync()).Should().HaveCount(2, "the six compacted files became one; the offload's file stays");
        TestWarehouses.Query($"SELECT count(), uniqExact(kafka_offset) FROM {TestWarehouses.ChDbSource(table)}").Should().Be("140\t140");
        table.Metadata.CurrentSnapshot!.Operation.Should().Be(K2.Iceberg.Spec.Operations.Replace);
    }

    [Test]
    public async Task An_overwrite_removing_a_file_being_compacted_aborts_cleanly_and_keeps_the_overwrite()
    {
        var (warehouse, table, _) = await SixSmallFilesWithAnOffloadBeforeTheSwapAsync(async offload =>
            await offload.OverwriteAsync(_ => true, await ColdTableFixture.WriteAsync(offload, ColdTableFixture.SilverRows(0, 50, ColdTableFixture.Hour0))));
        var result = await Compactor(warehouse).CompactAsync(table, CancellationToken.None);

        result.Aborted.Should().BeTrue();
        var live = (await table.ListDataFilesAsync()).Select(f => f.Path).ToHashSet();
        live.Should().HaveCount(1);
        var dataFiles = (await ColdTableFixture.ListStoreAsync(warehouse, table)).Where(f => f.EndsWith(".parquet", StringComparison.Ordinal)).ToList();
        dataFiles.Should().HaveCount(7, "the six overwritten files (until expiry) and the overwrite's file; the compaction's output was deleted");
        TestWarehouses.Query($"SELECT count(), uniqExact(kafka_offset) FROM {TestWarehouses.ChDbSource(table)}").Should().Be("50\t50");
    }

    [Test]
    public async Task The_files_of_a_month_that_ended_a_week_ago_are_packed_into_one_and_a_late_file_joins_them_next_time()
    {
        var warehouse = await ColdTableFixture.WarehouseAsync();
        var table = await ColdTableFixture.CreateAsync(warehouse, ColdTables.Silver);
        var march = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var day = 0; day < 3; day++)
        {
            await table.AppendAsync(await ColdTableFixture.WriteAsync(table, ColdTableFixture.SilverRows(day * 100, 40, march.AddDays(day * 10))));
        }

        await table.AppendAsync(await ColdTableFixture.WriteAsync(table, ColdTableFixture.SilverRows(400, 40, new DateTime(2026, 4, 2, 0, 0, 0, DateTimeKind.Utc))));
        var rowsBefore = ColdTableFixture.ReadAll(table);
        const int April = ((2026 - 1970) * 12) + 3;
        var aprilFile = (await table.ListDataFilesAsync()).Single(f => (int)f.Partition.Values[0]! == April);

        var notYet = await Compactor(warehouse, time: new ManualTime(new DateTimeOffset(2026, 4, 7, 23, 0, 0, TimeSpan.Zero))).CompactAsync(table, CancellationToken.None);
        var due = await Compactor(warehouse, time: new ManualTime(new DateTimeOffset(2026, 4, 8, 0, 0, 0, TimeSpan.Zero))).CompactAsync(table, CancellationToken.None);

        notYet.Groups.Should().Be(0, "March ended 6 days and 23 hours ago, and each of its days has one file, below MinSmallFiles");
        due.Should().BeEquivalentTo(new { FilesBefore = 4, FilesAfter = 2, Groups = 1, Aborted = false }, "the files of three March days become one");
        table.Metadata.PartitionSpecs.Should().ContainSingle("months are the table's only partitioning");
        var live = await table.ListDataFilesAsync();
        live.Should().ContainSingle(f => f.Path == aprilFile.Path, "April is not due");
        var packed = live.Single(f => f.Path != aprilFile.Path);
        packed.Partition.Values.Should().Equal([April - 1, "binance", aprilFile.Partition.Values[2]]);
        packed.RecordCount.Should().Be(120);
        ColdTableFixture.ReadAll(table).Should().Be(rowsBefore);
        TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(table)} WHERE exchange_ts >= '2026-03-11' AND exchange_ts < '2026-03-12'").Should().Be("40");
        TestWarehouses.Query($"SELECT groupArray(canonical_symbol) = arraySort(groupArray(canonical_symbol)), groupArray(exchange_ts) = arraySort(groupArray(exchange_ts)) FROM file('{K2.Iceberg.Storage.LocalObjectStore.ToPath(packed.Path)}')")
            .Should().Be("1\t1", "the month's file is written in the table's sort order");

        var again = await Compactor(warehouse, time: new ManualTime(new DateTimeOffset(2026, 4, 9, 0, 0, 0, TimeSpan.Zero))).CompactAsync(table, CancellationToken.None);
        again.Groups.Should().Be(0, "a month already in one file is left as it is");

        await table.AppendAsync(await ColdTableFixture.WriteAsync(table, ColdTableFixture.SilverRows(900, 10, march.AddDays(15))));
        var late = await Compactor(warehouse, time: new ManualTime(new DateTimeOffset(2026, 4, 10, 0, 0, 0, TimeSpan.Zero))).CompactAsync(table, CancellationToken.None);

        late.Should().BeEquivalentTo(new { FilesBefore = 3, FilesAfter = 2, Groups = 1 }, "a late March trade's file joins the month's file");
        (await table.ListDataFilesAsync()).Single(f => f.Path != aprilFile.Path).RecordCount.Should().Be(130);
        TestWarehouses.Query($"SELECT count(), uniqExact(kafka_offset) FROM {TestWarehouses.ChDbSource(table)}").Should().Be("170\t170");
    }

    [Test]
    public async Task A_recent_day_is_written_for_speed_and_the_same_rows_packed_in_their_month_for_size()
    {
        var compacted = new List<(CompactionResult Result, string Rows)>();
        foreach (var now in new[] { ColdTableFixture.Hour0.AddDays(1), new DateTime(2026, 4, 8, 0, 0, 0, DateTimeKind.Utc) })
        {
            var warehouse = await ColdTableFixture.WarehouseAsync();
            var table = await ColdTableFixture.CreateAsync(warehouse, ColdTables.Silver);
            await ColdTableFixture.AppendBatchesAsync(table, batches: 6, rowsPerBatch: 2000);
            var result = await Compactor(warehouse, time: new ManualTime(new DateTimeOffset(now))).CompactAsync(table, CancellationToken.None);
            compacted.Add((result, ColdTableFixture.ReadAll(table)));
        }

        var (day, month) = (compacted[0], compacted[1]);
        day.Result.Should().BeEquivalentTo(new { FilesAfter = month.Result.FilesAfter, Groups = month.Result.Groups, BytesBefore = month.Result.BytesBefore });
        day.Result.FilesAfter.Should().BeLessThan(day.Result.FilesBefore);
        month.Rows.Should().Be(day.Rows);
        day.Rows.Split('\n').Should().HaveCount(12000);
        month.Result.BytesAfter.Should().BeLessThan(day.Result.BytesAfter, "a recent day's file is written with zstd level 1, a packed month's with level 3");
    }

    [Test]
    public async Task Each_day_of_a_recent_month_becomes_one_file_of_the_month_partition_and_a_read_of_one_day_opens_only_that_file()
    {
        var warehouse = await ColdTableFixture.WarehouseAsync();
        var table = await ColdTableFixture.CreateAsync(warehouse, ColdTables.Silver);
        for (var day = 0; day < 2; day++)
        {
            for (var batch = 0; batch < 6; batch++)
            {
                await table.AppendAsync(await ColdTableFixture.WriteAsync(table, ColdTableFixture.SilverRows((day * 1000) + (batch * 20), 20, ColdTableFixture.Hour0.AddDays(day))));
            }
        }

        var rowsBefore = ColdTableFixture.ReadAll(table);

        var result = await Compactor(warehouse).CompactAsync(table, CancellationToken.None);

        result.Should().BeEquivalentTo(new { FilesBefore = 12, FilesAfter = 2, Groups = 2, Aborted = false }, "each day's six files become one");
        var live = await table.ListDataFilesAsync();
        live.Select(f => f.Partition).Distinct().Should().ContainSingle("both days are in March's partition");
        live.Select(f => f.RecordCount).Should().Equal(120, 120);
        ColdTableFixture.ReadAll(table).Should().Be(rowsBefore);

        var firstDay = live.Single(f => TestWarehouses.Query($"SELECT max(exchange_ts) < '2026-03-02' FROM file('{K2.Iceberg.Storage.LocalObjectStore.ToPath(f.Path)}')") == "1");
        await warehouse.Store.DeleteAsync(firstDay.Path, CancellationToken.None);
        var source = TestWarehouses.ChDbSource(table);
        TestWarehouses.Query($"SELECT count() FROM {source} WHERE exchange_ts >= '2026-03-02' AND exchange_ts < '2026-03-03'")
            .Should().Be("120", "the reader skips the first day's file by the time bounds of its manifest entry, without opening it");
        var firstDayRead = () => TestWarehouses.Query($"SELECT count() FROM {source} WHERE exchange_ts < '2026-03-02'");
        firstDayRead.Should().Throw<Exception>("the first day's file is gone");
    }

    [Test]
    public async Task A_table_partitioned_by_day_before_months_moves_every_file_into_the_month_spec_and_keeps_one_manifest()
    {
        var warehouse = await ColdTableFixture.WarehouseAsync();
        var silver = ColdTables.Silver;
        var table = await ColdTableFixture.CreateByDayAsync(warehouse, silver);
        var march = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var april2 = new DateTime(2026, 4, 2, 0, 0, 0, DateTimeKind.Utc);
        for (var day = 0; day < 3; day++)
        {
            await table.AppendAsync(await ColdTableFixture.WriteAsync(table, ColdTableFixture.SilverRows(day * 100, 40, march.AddDays(day * 10))));
        }

        for (var batch = 0; batch < 6; batch++)
        {
            await table.AppendAsync(await ColdTableFixture.WriteAsync(table, ColdTableFixture.SilverRows(1000 + (batch * 10), 10, april2)));
        }

        await table.AppendAsync(await ColdTableFixture.WriteAsync(table, ColdTableFixture.SilverRows(2000, 10, april2.AddDays(1))));

        (await table.SetDefaultPartitionSpecAsync(silver.PartitionSpec.Fields)).Should().BeTrue();
        (await table.SetDefaultPartitionSpecAsync(silver.PartitionSpec.Fields)).Should().BeFalse("the month spec is the default already");
        table.Metadata.DefaultSpec.Fields.Select(f => (f.Name, f.Transform.ToString())).Should().Equal(("exchange_ts_month", "month"), ("exchange", "identity"), ("canonical_symbol_bucket", "bucket[4]"));
        await table.AppendAsync(await ColdTableFixture.WriteAsync(table, ColdTableFixture.SilverRows(1060, 10, april2)));
        (await table.ListDataFilesAsync()).Select(f => f.SpecId).Distinct().Should().BeEquivalentTo([0, 1]);
        var rowsBefore = ColdTableFixture.ReadAll(table);

        var result = await Compactor(warehouse, time: new ManualTime(new DateTimeOffset(2026, 4, 8, 0, 0, 0, TimeSpan.Zero))).CompactAsync(table, CancellationToken.None);

        result.Should().BeEquivalentTo(new { FilesBefore = 11, FilesAfter = 3, Groups = 3, Aborted = false },
            "March's three day files become one, April 2's seven files one, and April 3's lone day file moves alone");
        var live = await table.ListDataFilesAsync();
        live.Should().OnlyContain(f => f.SpecId == 1);
        live.Select(f => f.RecordCount).Should().BeEquivalentTo(new long[] { 120, 70, 10 });
        await table.RewriteManifestsAsync();
        (await table.ReadManifestListAsync(CancellationToken.None)).Should().ContainSingle("one spec, one manifest after maintenance's manifest rewrite");
        ColdTableFixture.ReadAll(table).Should().Be(rowsBefore);
    }

    /// <summary>A silver table with (batches, rows per batch) small files of binance, kraken and coinbase, each its own partition.</summary>
    private static async Task<(IcebergWarehouse Warehouse, IcebergTable Table)> ThreeExchangesAsync(params (int Batches, int Rows)[] perExchange)
    {
        var warehouse = await ColdTableFixture.WarehouseAsync();
        var table = await ColdTableFixture.CreateAsync(warehouse, ColdTables.Silver);
        string[] exchanges = ["binance", "kraken", "coinbase"];
        for (var i = 0; i < exchanges.Length; i++)
        {
            await ColdTableFixture.AppendBatchesAsync(table, perExchange[i].Batches, perExchange[i].Rows, firstId: i * 1000, exchange: exchanges[i]);
        }

        return (warehouse, table);
    }

    /// <summary>A silver table of six small files whose compaction meets, once, another writer's commit just before its swap.</summary>
    private static async Task<(IcebergWarehouse Warehouse, IcebergTable Table, Func<int> Interleaved)> SixSmallFilesWithAnOffloadBeforeTheSwapAsync(Func<IcebergTable, Task> offloadCommit)
    {
        var warehouse = await ColdTableFixture.WarehouseAsync();
        var table = await ColdTableFixture.CreateAsync(warehouse, ColdTables.Silver);
        await ColdTableFixture.AppendBatchesAsync(table, batches: 6, rowsPerBatch: 20);
        var offload = await warehouse.LoadTableAsync(table.Identifier);
        var once = 0;
        table.BeforeSwap = async () =>
        {
            if (Interlocked.Exchange(ref once, 1) == 1) { return; }
            await offloadCommit(offload);
        };
        return (warehouse, table, () => Volatile.Read(ref once));
    }
}
