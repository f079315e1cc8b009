using System.Globalization;
using K2.Iceberg.Spec;
using K2.Iceberg.Tables;
using K2.Tests.ClickHouse;

namespace K2.Tests.Iceberg;

/// <summary>
/// Partition evolution: a table partitioned by day gets a month spec as its default, and files of old days are rewritten into one
/// file of their month under it. chDB reads the table with files of both specs exactly and prunes files of either
/// spec by a time range.
/// </summary>
[TestFixture]
public sealed class PartitionEvolutionTests
{
    private static readonly PartitionField[] ByMonth = [new(5, 0, "exchange_ts_month", Transform.Month)];

    [Test]
    public async Task A_month_spec_becomes_the_default_beside_the_day_spec_with_a_new_field_id_and_only_once()
    {
        var warehouse = await TestWarehouses.LocalAsync();
        var table = await SilverLikeTable.CreateAsync(warehouse, "evolve_once");

        var changed = await table.SetDefaultPartitionSpecAsync(ByMonth);
        var again = await table.SetDefaultPartitionSpecAsync(ByMonth);

        changed.Should().BeTrue();
        again.Should().BeFalse("the month spec is the default already");
        table.Metadata.DefaultSpecId.Should().Be(1, "appends use the month spec");
        table.Metadata.DefaultSpec.Fields.Should().Equal(new PartitionField(5, 1001, "exchange_ts_month", Transform.Month));
        table.Metadata.PartitionSpecs.Should().HaveCount(2);
        table.Metadata.LastPartitionId.Should().Be(1001);
        var reopened = await TestWarehouses.Reopen(warehouse).LoadTableAsync(table.Identifier);
        reopened.Metadata.PartitionSpecs.Should().BeEquivalentTo(table.Metadata.PartitionSpecs);
        reopened.Metadata.DefaultSpecId.Should().Be(1);
        var described = new StringWriter();
        await K2.Daemon.Cli.IcebergCommand.DescribeAsync(reopened, described, CancellationToken.None);
        described.ToString().Should().Contain("partitioned by: exchange_ts_month = month(exchange_ts)\n  older files also by spec 0: exchange_ts_day = day(exchange_ts)\n");
    }

    [Test]
    public async Task Days_rewritten_into_their_month_read_back_exactly_and_both_specs_prune_by_time()
    {
        var warehouse = await TestWarehouses.LocalAsync();
        var table = await SilverLikeTable.CreateAsync(warehouse, "evolve_rollup");
        var march = SilverLikeTable.Day1;
        for (var day = 0; day < 4; day++)
        {
            await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Enumerable.Range(day * 100, 100).Select(i => SilverLikeTable.Row(i, march.AddDays(day)))));
        }

        await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Enumerable.Range(400, 100).Select(i => SilverLikeTable.Row(i, march.AddMonths(1)))));
        var source = TestWarehouses.ChDbSource(table);
        const string Summary = "count(), sum(trade_id), sum(price), sum(quantity), countIf(side IS NULL), sum(length(trade_conditions)), max(exchange_ts)";
        var before = TestWarehouses.Query($"SELECT {Summary} FROM {source}");
        var marchFiles = (await table.ListDataFilesAsync()).Where(f => DayOf(f) < new DateOnly(2026, 4, 1)).ToList();
        marchFiles.Should().HaveCount(4);

        await table.SetDefaultPartitionSpecAsync(ByMonth);
        var month = table.Metadata.DefaultSpec;
        var folder = Directory.CreateTempSubdirectory("k2-test-rollup-").FullName;
        await HotTier.Gateway.ExportParquetAsync($"SELECT * FROM {source} WHERE exchange_ts < '2026-04-01' ORDER BY exchange_ts", "'month'", ["month"], [], folder,
            new Dictionary<string, string> { ["output_format_parquet_row_group_size"] = "100" });
        var rolled = (await table.ImportDataFileAsync(Path.Combine(folder, "month.parquet"), month, new PartitionKey([Transform.Month.Apply(PrimitiveType.TimestampTz, march)])))!;
        await table.ReplaceAsync(marchFiles, [rolled]);
        Directory.Delete(folder, recursive: true);

        var live = await table.ListDataFilesAsync();
        live.Select(f => f.SpecId).Should().BeEquivalentTo([0, 1]);
        TestWarehouses.Query($"SELECT {Summary} FROM {source}").Should().Be(before);
        TestWarehouses.Query($"SELECT count() FROM {source} WHERE exchange_ts >= '2026-03-02' AND exchange_ts < '2026-03-03'").Should().Be("100");
        var pruned = Counter("IcebergPartitionPrunedFiles");
        TestWarehouses.Query($"SELECT count() FROM {source} WHERE exchange_ts >= '2026-04-01' SETTINGS use_iceberg_metadata_files_cache = 0").Should().Be("100");
        (Counter("IcebergPartitionPrunedFiles") - pruned).Should().Be(1, "the month file is outside April");
        pruned = Counter("IcebergPartitionPrunedFiles");
        TestWarehouses.Query($"SELECT count() FROM {source} WHERE exchange_ts < '2026-03-03' SETTINGS use_iceberg_metadata_files_cache = 0").Should().Be("200");
        (Counter("IcebergPartitionPrunedFiles") - pruned).Should().Be(1, "the April day is outside the range");
    }

    private static DateOnly DayOf(DataFile file) => Transform.Day.PeriodStart((int)file.Partition.Values[0]!);

    private static long Counter(string name) =>
        long.Parse(TestWarehouses.Query($"SELECT sum(value) FROM system.events WHERE event = '{name}'"), CultureInfo.InvariantCulture);
}
