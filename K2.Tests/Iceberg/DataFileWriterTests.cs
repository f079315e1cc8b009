using K2.Iceberg.Parquet;
using K2.Iceberg.Spec;

namespace K2.Tests.Iceberg;

/// <summary>Row groups, rolling at the target size and the metrics that go into manifests.</summary>
[TestFixture]
public sealed class DataFileWriterTests
{
    [Test]
    public async Task Files_roll_once_their_row_groups_reach_the_target_size()
    {
        var warehouse = await TestWarehouses.LocalAsync(settings: new WriterSettings(TargetFileSizeBytes: 1, RowGroupRows: 1000));
        var table = await SilverLikeTable.CreateAsync(warehouse);

        var files = await SilverLikeTable.WriteAsync(table, Enumerable.Range(0, 2500).Select(i => SilverLikeTable.Row(i, SilverLikeTable.Day1)));
        await table.AppendAsync(files);

        files.Select(f => f.RecordCount).Should().Equal(1000, 1000, 500);
        files.Should().OnlyContain(f => f.FileSizeInBytes == new FileInfo(K2.Iceberg.Storage.LocalObjectStore.ToPath(f.Path)).Length);
        TestWarehouses.Query($"SELECT count(), uniqExact(_path) FROM {TestWarehouses.ChDbSource(table)}").Should().Be("2500\t3");
    }

    [Test]
    public async Task Manifest_metrics_count_values_and_nulls_and_bound_the_data()
    {
        var table = await SilverLikeTable.CreateAsync(await TestWarehouses.LocalAsync());
        var rows = Enumerable.Range(0, 60).Select(i => SilverLikeTable.Row(i, SilverLikeTable.Day1)).ToList();
        var file = (await SilverLikeTable.WriteAsync(table, rows)).Single();

        file.RecordCount.Should().Be(60);
        file.ValueCounts[1].Should().Be(60);
        file.NullValueCounts[6].Should().Be(rows.Count(r => r[5] is null));
        file.ValueCounts[6].Should().Be(60, "value counts include nulls");
        SingleValue.Decode(PrimitiveType.Long, file.LowerBounds[1]).Should().Be(0L);
        SingleValue.Decode(PrimitiveType.Long, file.UpperBounds[1]).Should().Be(59L);
        SingleValue.Decode(PrimitiveType.Decimal(18, 8), file.LowerBounds[3]).Should().Be(SingleValue.ToDecimal(PrimitiveType.Decimal(18, 8), rows.Min(r => (decimal)r[2]!)));
        SingleValue.Decode(PrimitiveType.Decimal(18, 8), file.UpperBounds[3]).Should().Be(SingleValue.ToDecimal(PrimitiveType.Decimal(18, 8), rows.Max(r => (decimal)r[2]!)));
        SingleValue.Decode(PrimitiveType.TimestampTz, file.UpperBounds[5]).Should().Be(rows.Max(r => (DateTime)r[4]!));
        SingleValue.Decode(PrimitiveType.String, file.LowerBounds[2]).Should().Be("BTC-USDT");
        file.ValueCounts.Keys.Should().NotContain([7, 8, 9, 10, 11, 12, 13], "nested columns get no metrics");
        file.Partition.Values.Should().Equal(20513);
    }
}
