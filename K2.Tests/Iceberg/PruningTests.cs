using System.Globalization;
using K2.Iceberg.Tables;

namespace K2.Tests.Iceberg;

/// <summary>
/// chDB skips files using the partition values and column bounds K2 writes into manifests. Each data file here has one
/// row group, so chDB's ParquetReadRowGroups counter is the number of files it read.
/// </summary>
[TestFixture]
public sealed class PruningTests
{
    private IcebergTable _table = null!;

    [OneTimeSetUp]
    public async Task WriteFourFilesAsync()
    {
        var warehouse = await TestWarehouses.LocalAsync();
        _table = await SilverLikeTable.CreateAsync(warehouse);
        await ChDbReadsTablesTests.AppendThreeBatchesAsync(_table);
        (await _table.ListDataFilesAsync()).Should().HaveCount(4, "day 1, day 2, then days 1 and 3");
    }

    [Test]
    public void Without_a_filter_all_four_files_are_read()
    {
        var run = Run("1 = 1", "use_iceberg_partition_pruning = 1");

        run.Rows.Should().Be("300");
        run.FilesRead.Should().Be(4);
    }

    [Test]
    public void A_filter_on_the_partition_day_reads_one_file_of_four()
    {
        var run = Run("exchange_ts >= '2026-03-02 00:00:00' AND exchange_ts < '2026-03-03 00:00:00'", "use_iceberg_partition_pruning = 1");

        run.Rows.Should().Be("100");
        run.FilesRead.Should().Be(1);
        run.PrunedByPartition.Should().Be(2, "both day-1 files are outside the day range");
        run.PrunedByMinMax.Should().Be(1, "'< 2026-03-03 00:00' cannot exclude the day-3 partition, but the day-3 file's exchange_ts lower bound can");
    }

    [Test]
    public void A_filter_on_trade_id_bounds_reads_one_file_of_four()
    {
        // ClickHouse's use_iceberg_partition_pruning switches manifest bounds pruning on too; trade_id is no partition column.
        var run = Run("trade_id BETWEEN 120 AND 130", "use_iceberg_partition_pruning = 1");

        run.Rows.Should().Be("11");
        run.FilesRead.Should().Be(1);
        run.PrunedByMinMax.Should().Be(3);
    }

    private sealed record PruningRun(string Rows, long FilesRead, long PrunedByPartition, long PrunedByMinMax);

    /// <summary>Runs a filtered count and reads chDB's global profile counters before and after it.</summary>
    private PruningRun Run(string filter, string settings)
    {
        string[] counters = ["ParquetReadRowGroups", "IcebergPartitionPrunedFiles", "IcebergMinMaxIndexPrunedFiles"];
        var before = counters.Select(Counter).ToArray();
        var rows = TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(_table)} WHERE {filter} AND sequence >= 0 SETTINGS {settings}, use_iceberg_metadata_files_cache = 0");
        var after = counters.Select(Counter).ToArray();
        return new PruningRun(rows, after[0] - before[0], after[1] - before[1], after[2] - before[2]);
    }

    private static long Counter(string name) =>
        long.Parse(TestWarehouses.Query($"SELECT sum(value) FROM system.events WHERE event = '{name}'"), CultureInfo.InvariantCulture);
}
