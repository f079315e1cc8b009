using System.Buffers.Binary;
using K2.Iceberg.Catalog;
using K2.Iceberg.Parquet;
using K2.Iceberg.Spec;
using K2.Iceberg.Tables;
using K2.Tests.ClickHouse;

namespace K2.Tests.Iceberg;

/// <summary>
/// Parquet files written by ClickHouse's encoder become data files: field ids on every schema node, manifest metrics
/// taken from the footer statistics, and chDB's Iceberg reader reads them back exactly.
/// </summary>
[TestFixture]
public sealed class ClickHouseWrittenFileTests
{
    private static readonly Schema TradeSchema = new(0,
    [
        NestedField.Require(1, "trade_id", PrimitiveType.Long),
        NestedField.Require(2, "symbol", PrimitiveType.String),
        NestedField.Require(3, "price", PrimitiveType.Decimal(28, 18)),
        NestedField.Require(4, "exchange_ts", PrimitiveType.TimestampTz),
        NestedField.Optional(5, "side", PrimitiveType.String),
        NestedField.Optional(6, "validation_errors", new ListType(9, true, PrimitiveType.String)),
        NestedField.Optional(7, "vendor_data", new MapType(10, PrimitiveType.String, 11, false, PrimitiveType.String)),
        NestedField.Optional(8, "is_buyer_maker", PrimitiveType.Boolean),
        NestedField.Require(12, "sequence", PrimitiveType.Int),
    ]);

    private const string Rows = """
        SELECT toInt64(number) AS trade_id,
               if(number % 2 = 0, 'BTC-USDT', 'ETH-USDT') AS symbol,
               CAST(toDecimal128(number, 18) - toDecimal128('123.000000000000000001', 18) AS Decimal(28, 18)) AS price,
               toDateTime64('2026-03-01 00:00:00', 6, 'UTC') + toIntervalMicrosecond(number * 1000003) AS exchange_ts,
               if(number % 3 = 0, NULL, 'buy') AS side,
               if(number % 5 = 1, ['price_outlier'], []) AS validation_errors,
               map('k', if(number % 4 = 0, NULL, toString(number))) AS vendor_data,
               if(number % 7 = 0, NULL, toBool(number % 2 = 0)) AS is_buyer_maker,
               toInt32(number) AS sequence
        FROM numbers(1000)
        """;

    [Test]
    public async Task A_file_ClickHouse_wrote_gets_every_field_id_and_exact_metrics_and_chDB_reads_it_back()
    {
        var warehouse = await TestWarehouses.LocalAsync();
        var table = await warehouse.CreateTableAsync(new TableIdentifier("k2", "clickhouse_written"), TradeSchema,
            new PartitionSpec(0, [new PartitionField(4, 1000, "exchange_ts_day", Transform.Day)]));
        var local = await ExportAsync(Rows);
        var day = (int)(new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalDays;

        var file = (await table.ImportDataFileAsync(local, new PartitionKey([day])))!;

        File.Exists(local).Should().BeFalse("the local file is handed over to the store");
        file.RecordCount.Should().Be(1000);
        file.ValueCounts[1].Should().Be(1000);
        file.NullValueCounts[5].Should().Be(334, "side is null for every third trade");
        file.NullValueCounts[1].Should().Be(0);
        SingleValue.Decode(PrimitiveType.Long, file.LowerBounds[1]).Should().Be(0L);
        SingleValue.Decode(PrimitiveType.Long, file.UpperBounds[1]).Should().Be(999L);
        SingleValue.Decode(PrimitiveType.Decimal(28, 18), file.LowerBounds[3]).Should().Be(IcebergDecimal.Parse("-123.000000000000000001"));
        SingleValue.Decode(PrimitiveType.Decimal(28, 18), file.UpperBounds[3]).Should().Be(IcebergDecimal.Parse("875.999999999999999999"));
        SingleValue.Decode(PrimitiveType.TimestampTz, file.LowerBounds[4]).Should().Be(new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc));
        SingleValue.Decode(PrimitiveType.TimestampTz, file.UpperBounds[4]).Should().Be(new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(999L * 1000003 * 10));
        SingleValue.Decode(PrimitiveType.String, file.LowerBounds[2]).Should().Be("BTC-USDT");
        SingleValue.Decode(PrimitiveType.String, file.UpperBounds[2]).Should().Be("ETH-USDT");
        file.LowerBounds.Should().NotContainKey(6, "nested columns get no bounds");

        FooterFieldIds(table, file).Should().BeEquivalentTo(TradeSchema.Fields.SelectMany(f => f.AllIds()),
            "every column, list element, map key and map value carries its Iceberg id; only the repeated groups have none");

        await table.AppendAsync([file]);
        var source = TestWarehouses.ChDbSource(table);
        const string Summary = "count(), sum(trade_id), sum(price), countIf(side IS NULL), sum(length(validation_errors)), " +
            "countIf(vendor_data['k'] IS NULL), countIf(is_buyer_maker), max(exchange_ts), sum(sequence)";
        TestWarehouses.Query($"SELECT {Summary} FROM {source}").Should().Be(TestWarehouses.Query($"SELECT {Summary} FROM ({Rows})"));
    }

    [Test]
    public async Task A_column_of_the_wrong_type_is_refused_with_its_name()
    {
        var warehouse = await TestWarehouses.LocalAsync();
        var table = await warehouse.CreateTableAsync(new TableIdentifier("k2", "clickhouse_written_wrong"), TradeSchema, PartitionSpec.Unpartitioned);
        var millis = Rows.Replace("toDateTime64('2026-03-01 00:00:00', 6, 'UTC') + toIntervalMicrosecond(number * 1000003)",
            "toDateTime64('2026-03-01 00:00:00', 3, 'UTC') + toIntervalMillisecond(number)", StringComparison.Ordinal);
        millis.Should().NotBe(Rows);
        var local = await ExportAsync(millis);

        var import = () => table.ImportDataFileAsync(local, PartitionKey.Empty);

        (await import.Should().ThrowAsync<InvalidDataException>()).Which.Message.Should().Contain("'exchange_ts'").And.Contain("timestamptz");
        (await table.ListDataFilesAsync()).Should().BeEmpty();
    }

    private static async Task<string> ExportAsync(string sql)
    {
        var folder = Directory.CreateTempSubdirectory("k2-test-export-").FullName;
        await HotTier.Gateway.ExportParquetAsync(sql, "'only'", ["only"], [], folder, new Dictionary<string, string> { ["output_format_parquet_row_group_size"] = "300" });
        var moved = Path.Combine(TestWarehouses.LocalRoot(), "export.parquet");
        File.Move(Path.Combine(folder, "only.parquet"), moved);
        Directory.Delete(folder, recursive: true);
        return moved;
    }

    /// <summary>The field ids in the committed file's footer, read with the same Thrift decoder.</summary>
    private static IEnumerable<int> FooterFieldIds(IcebergTable table, DataFile file)
    {
        var bytes = File.ReadAllBytes(K2.Iceberg.Storage.LocalObjectStore.ToPath(file.Path));
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(bytes.Length - 8));
        var footer = ThriftStruct.Read(bytes.AsSpan(bytes.Length - 8 - length, length));
        var elements = footer.List<ThriftStruct>(2).Skip(1).ToList();
        elements.Where(e => e.Integer(9) is null).Should().OnlyContain(e => e.Integer(3) == 2, $"{table.Identifier}: only repeated groups lack an id");
        return elements.Where(e => e.Integer(9) is not null).Select(e => (int)e.Integer(9)!.Value).ToList();
    }
}
