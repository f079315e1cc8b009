using System.Globalization;
using K2.Iceberg.Spec;
using K2.Iceberg.Tables;

namespace K2.Tests.Iceberg;

/// <summary>Replace (compaction), overwrite, expiry, referenced files, reading back and schema evolution, checked through chDB.</summary>
[TestFixture]
public sealed class TableOperationsTests
{
    private static IEnumerable<object?[]> Rows(int from, int count, DateTime day) => Enumerable.Range(from, count).Select(i => SilverLikeTable.Row(i, day));

    [Test]
    public async Task Data_files_read_back_into_the_rows_that_were_written()
    {
        var table = await SilverLikeTable.CreateAsync(await TestWarehouses.LocalAsync());
        var written = Rows(0, 50, SilverLikeTable.Day1).ToList();
        var files = await SilverLikeTable.WriteAsync(table, written);
        await table.AppendAsync(files);

        var read = new List<object?[]>();
        await foreach (var row in table.ReadRowsAsync(files.Single())) { read.Add(row); }

        read.Should().HaveCount(50);
        for (var i = 0; i < written.Count; i++)
        {
            read[i].Take(6).Should().Equal(written[i].Take(6).Select((v, c) => v is decimal d ? SingleValue.ToDecimal((PrimitiveType)table.Metadata.CurrentSchema.Fields[c].Type, d) : v));
            ((IEnumerable<object?>?)read[i][6])?.Should().Equal((IEnumerable<object?>?)written[i][6] ?? Array.Empty<object?>());
            if (written[i][7] is Dictionary<string, string?> map)
            {
                ((Dictionary<object, object?>)read[i][7]!).Should().Equal(map.ToDictionary(p => (object)p.Key, p => (object?)p.Value));
            }

            read[i][9].Should().Be(written[i][9]);
            read[i][10].Should().Be(written[i][10]);
        }
    }

    [Test]
    public async Task Replace_compacts_files_keeping_rows_and_totals_and_fails_if_a_file_is_gone()
    {
        var table = await SilverLikeTable.CreateAsync(await TestWarehouses.LocalAsync());
        for (var batch = 0; batch < 3; batch++) { await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Rows(batch * 10, 10, SilverLikeTable.Day1))); }
        var small = await table.ListDataFilesAsync();
        small.Should().HaveCount(3);

        var rows = new List<object?[]>();
        foreach (var file in small) { await foreach (var row in table.ReadRowsAsync(file)) { rows.Add(row); } }
        var compacted = await SilverLikeTable.WriteAsync(table, rows);
        var snapshot = await table.ReplaceAsync(small, compacted);

        snapshot.Operation.Should().Be("replace");
        snapshot.Summary["deleted-data-files"].Should().Be("3");
        snapshot.Summary["added-data-files"].Should().Be("1");
        snapshot.Summary["total-records"].Should().Be("30");
        snapshot.Summary["total-data-files"].Should().Be("1");
        (await table.ListDataFilesAsync()).Select(f => f.Path).Should().Equal(compacted.Select(f => f.Path));
        TestWarehouses.Query($"SELECT count(), sum(trade_id), toString(sum(price)) FROM {TestWarehouses.ChDbSource(table)}")
            .Should().Be($"30\t435\t{Rows(0, 30, SilverLikeTable.Day1).Sum(r => (decimal)r[2]!).ToString(CultureInfo.InvariantCulture)}");

        var again = async () => await table.ReplaceAsync(small, compacted);
        await again.Should().ThrowAsync<CommitValidationException>();
    }

    [Test]
    public async Task Overwrite_replaces_one_partition_and_leaves_the_others()
    {
        var table = await SilverLikeTable.CreateAsync(await TestWarehouses.LocalAsync());
        await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Rows(0, 10, SilverLikeTable.Day1)));
        await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Rows(10, 10, SilverLikeTable.Day1.AddDays(1))));

        var day2 = SilverLikeTable.ByDay.KeyOf(SilverLikeTable.Schema, SilverLikeTable.Row(10, SilverLikeTable.Day1.AddDays(1)));
        var revised = await SilverLikeTable.WriteAsync(table, Rows(10, 4, SilverLikeTable.Day1.AddDays(1)));
        var snapshot = await table.OverwriteAsync(f => f.Partition.Equals(day2), revised);

        snapshot.Operation.Should().Be("overwrite");
        snapshot.Summary["deleted-records"].Should().Be("10");
        snapshot.Summary["added-records"].Should().Be("4");
        snapshot.Summary["total-records"].Should().Be("14");
        TestWarehouses.Query($"SELECT toDate(exchange_ts) d, count() FROM {TestWarehouses.ChDbSource(table)} GROUP BY d ORDER BY d FORMAT TSV")
            .Should().Be("2026-03-01\t10\n2026-03-02\t4");
    }

    [Test]
    public async Task An_overwrite_fails_rather_than_delete_a_file_it_has_not_seen()
    {
        var warehouse = await TestWarehouses.LocalAsync();
        var table = await SilverLikeTable.CreateAsync(warehouse);
        await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Rows(0, 10, SilverLikeTable.Day1)));
        var stale = await TestWarehouses.Reopen(warehouse).LoadTableAsync(table.Identifier);
        await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Rows(10, 10, SilverLikeTable.Day1)));

        var revised = await SilverLikeTable.WriteAsync(stale, Rows(0, 3, SilverLikeTable.Day1));
        var overwrite = async () => await stale.OverwriteAsync(_ => true, revised);

        await overwrite.Should().ThrowAsync<CommitValidationException>();
        TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(table)}").Should().Be("20");
    }

    [Test]
    public async Task Expiry_deletes_only_files_no_retained_snapshot_uses_and_chdb_still_reads_the_table()
    {
        var table = await SilverLikeTable.CreateAsync(await TestWarehouses.LocalAsync());
        for (var batch = 0; batch < 3; batch++) { await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Rows(batch * 10, 10, SilverLikeTable.Day1))); }
        var small = await table.ListDataFilesAsync();
        var rows = new List<object?[]>();
        foreach (var file in small) { await foreach (var row in table.ReadRowsAsync(file)) { rows.Add(row); } }
        await table.ReplaceAsync(small, await SilverLikeTable.WriteAsync(table, rows));
        await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Rows(30, 10, SilverLikeTable.Day1)));
        var beforeExpiry = await table.ListReferencedFilesAsync();

        var result = await table.ExpireSnapshotsAsync(DateTimeOffset.UtcNow.AddMinutes(1), retainLast: 2);

        result.ExpiredSnapshots.Should().Be(3);
        result.DeletedDataFiles.Should().Be(3, "the three small files were replaced and only expired snapshots used them");
        table.Metadata.Snapshots.Should().HaveCount(2);
        table.Metadata.SnapshotLog.Select(e => e.SnapshotId).Should().Equal(table.Metadata.Snapshots.Select(s => s.SnapshotId));
        foreach (var file in small) { File.Exists(K2.Iceberg.Storage.LocalObjectStore.ToPath(file.Path)).Should().BeFalse(); }

        var referenced = await table.ListReferencedFilesAsync();
        foreach (var uri in referenced.Where(u => !u.EndsWith(".metadata.json", StringComparison.Ordinal)))
        {
            File.Exists(K2.Iceberg.Storage.LocalObjectStore.ToPath(uri)).Should().BeTrue($"{uri} is still referenced");
        }

        beforeExpiry.Except(referenced).Where(u => u.EndsWith(".parquet", StringComparison.Ordinal)).Should().BeEquivalentTo(small.Select(f => f.Path));
        TestWarehouses.Query($"SELECT count(), uniqExact(trade_id) FROM {TestWarehouses.ChDbSource(table)}").Should().Be("40\t40");
    }

    [Test]
    public async Task After_expiring_all_but_the_last_append_chdb_reads_entries_added_by_expired_snapshots()
    {
        var table = await SilverLikeTable.CreateAsync(await TestWarehouses.LocalAsync());
        for (var batch = 0; batch < 4; batch++) { await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Rows(batch * 10, 10, SilverLikeTable.Day1.AddDays(batch % 2)))); }
        var files = await table.ListDataFilesAsync();

        var result = await table.ExpireSnapshotsAsync(DateTimeOffset.UtcNow.AddMinutes(1), retainLast: 1);

        result.ExpiredSnapshots.Should().Be(3);
        result.DeletedDataFiles.Should().Be(0, "the last snapshot still uses every file");
        result.DeletedManifests.Should().Be(0, "its manifest list carries every manifest");
        (await table.ListDataFilesAsync()).Select(f => f.Path).Should().BeEquivalentTo(files.Select(f => f.Path));
        TestWarehouses.Query($"SELECT count(), uniqExact(trade_id) FROM {TestWarehouses.ChDbSource(table)} WHERE exchange_ts >= '2026-03-02 00:00:00'").Should().Be("20\t20");
        TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(table)}").Should().Be("40");
    }

    [Test]
    public async Task An_added_optional_column_reads_as_null_in_older_files()
    {
        var table = await SilverLikeTable.CreateAsync(await TestWarehouses.LocalAsync());
        await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Rows(0, 5, SilverLikeTable.Day1)));

        await table.EvolveSchemaAsync([NestedField.Optional(16, "venue_fee", PrimitiveType.Decimal(18, 8))]);
        await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Rows(5, 5, SilverLikeTable.Day1).Select(r => r.Append(r[0] is long i && i % 2 == 0 ? 0.25m : null).ToArray())));

        table.Metadata.CurrentSchemaId.Should().Be(1);
        table.Metadata.LastColumnId.Should().Be(16);
        TestWarehouses.Query($"SELECT trade_id, venue_fee FROM {TestWarehouses.ChDbSource(table)} ORDER BY trade_id FORMAT TSV")
            .Should().Be("0\t\\N\n1\t\\N\n2\t\\N\n3\t\\N\n4\t\\N\n5\t\\N\n6\t0.25\n7\t\\N\n8\t0.25\n9\t\\N");
    }
}
