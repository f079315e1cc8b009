using K2.Iceberg.Spec;
using K2.Offload.Tables;
using K2.Tests.ClickHouse;
using K2.Tests.Iceberg;

namespace K2.Tests.Offload;

[TestFixture]
public sealed class ColdTablesTests
{
    [Test]
    public void There_are_ten_tables_in_the_cold_namespace()
    {
        ColdTables.All.Select(t => t.Identifier.ToString()).Should().Equal(
            "cold.bronze_trades_binance", "cold.bronze_trades_kraken", "cold.bronze_trades_coinbase", "cold.silver_trades",
            "cold.gold_ohlcv_1m", "cold.gold_ohlcv_5m", "cold.gold_ohlcv_15m", "cold.gold_ohlcv_30m", "cold.gold_ohlcv_1h", "cold.gold_ohlcv_1d");
    }

    [TestCase("toDecimal128('30000000000', 18)", "30000000000")]
    [TestCase("toDecimal128('1000000000000000.000000000000000001', 18)", "1000000000000000.000000000000000001")]
    [TestCase("toDecimal128('-99999999999999999999.999999999999999999', 18)", "-99999999999999999999.999999999999999999")]
    [TestCase("toDecimal256('0.5', 18) * toDecimal256('0.25', 18)", "0.125")]
    [TestCase("toDecimal256('100000000000000000000', 18)", null)]
    [TestCase("toDecimal256('0.0000000000000000001', 36)", null)]
    public void A_hot_decimal_reaches_the_cold_decimal_exactly_or_is_marked_with_its_column_and_value(string value, string? cold)
    {
        var column = ColdColumn.Exact("v");
        var sql = $"SELECT {column.FitsCondition}, {column.MisfitReason}, if({column.FitsCondition}, toString({column.ParquetExpression}), '') FROM (SELECT materialize({value}) AS v)";

        var fields = TestWarehouses.Query(sql).Split('\t');
        if (cold is not null)
        {
            fields[0].Should().Be("1");
            fields[2].Should().Be(cold);
        }
        else
        {
            fields[0].Should().Be("0");
            fields[1].Should().Match("v * does not fit the cold decimal(38,18) exactly");
        }
    }

    [TestCase("60304.4", "0.0409", "2466.44996")]
    [TestCase("0.0000000001", "3", "0.0000000003")]
    [TestCase("0.00000412", "1000000000000000", "4120000000")]
    [TestCase("0.0000000000001", "0.0000000000001", null)]
    [TestCase("99999999999999999999", "10", null)]
    public void A_quote_volume_is_the_hot_product_exactly_or_is_marked_with_its_column_and_value(string price, string quantity, string? cold)
    {
        // As silver computes it: two 18-decimal values multiplied into Decimal(76, 36).
        var column = ColdTables.Silver.Columns.Single(c => c.Name == "quote_volume");
        var sql = $"SELECT {column.FitsCondition}, {column.MisfitReason}, if({column.FitsCondition}, toString({column.ParquetExpression}), '') " +
            $"FROM (SELECT materialize(toDecimal128('{price}', 18)) AS price, materialize(toDecimal128('{quantity}', 18)) AS quantity, " +
            "CAST(price AS Decimal(76, 18)) * CAST(quantity AS Decimal(76, 18)) AS quote_volume)";

        var fields = TestWarehouses.Query(sql).Split('\t');
        if (cold is not null)
        {
            fields[0].Should().Be("1");
            fields[2].Should().Be(cold);
        }
        else
        {
            fields[0].Should().Be("0");
            fields[1].Should().Match("quote_volume * does not fit the cold decimal(38,18) exactly");
        }
    }

    [Test]
    public async Task Every_cold_table_has_every_column_of_its_hot_source_in_order()
    {
        await using var hot = HotTier.Create();
        await hot.Schema.ApplyAsync();
        foreach (var table in ColdTables.All)
        {
            var hotColumns = TestWarehouses.Query($"SELECT name FROM system.columns WHERE database = '{hot.Settings.Database}' AND table = '{table.HotTable}' ORDER BY position")
                .Split('\n');
            table.ColumnNames.Should().Equal(hotColumns, $"{table.Name} must carry every column of {table.HotTable}");
        }
    }

    [Test]
    public void Every_table_is_partitioned_on_its_time_column_and_sorted()
    {
        foreach (var table in ColdTables.All)
        {
            var time = table.PartitionSpec.Fields[0];
            time.SourceId.Should().Be(table.FieldId(table.TimeColumn), table.Name);
            time.Transform.Kind.Should().BeOneOf(TransformKind.Day, TransformKind.Month, TransformKind.Year);
            table.Schema.Field(table.FieldId(table.TimeColumn)).Type.Should().Be(PrimitiveType.TimestampTz);
            table.PartitionSpec.Fields.Should().HaveCountGreaterThan(1, $"{table.Name} also prunes by exchange or symbol");
            table.SortOrder.Fields.Should().NotBeEmpty();
        }
    }

    [Test]
    public async Task The_tables_are_created_and_chDB_reads_their_schema()
    {
        var warehouse = await TestWarehouses.LocalAsync();
        foreach (var table in ColdTables.All)
        {
            var created = await warehouse.CreateTableAsync(table.Identifier, table.Schema, table.PartitionSpec, table.SortOrder);
            created.Metadata.CurrentSchema.Fields.Select(f => f.Name).Should().Equal(table.ColumnNames);
        }

        var silver = await warehouse.LoadTableAsync(ColdTables.Silver.Identifier);
        TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(silver)}").Should().Be("0");
    }
}
