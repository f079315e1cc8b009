using System.Globalization;
using System.Text;
using K2.Iceberg.Tables;

namespace K2.Tests.Iceberg;

/// <summary>Tables written by K2 read back through ClickHouse's own Iceberg reader (embedded chDB).</summary>
[TestFixture]
public sealed class ChDbReadsTablesTests
{
    private static readonly string Columns = "trade_id, symbol, price, quantity, exchange_ts, side, trade_conditions, vendor_data, validation_errors, is_buyer_maker, sequence";

    [Test]
    public async Task Several_appends_on_the_local_store_read_back_exactly()
    {
        var warehouse = await TestWarehouses.LocalAsync();
        var table = await SilverLikeTable.CreateAsync(warehouse);
        await AppendThreeBatchesAsync(table);

        AssertReadsBack(table, 300);
    }

    [Test]
    public async Task Several_appends_on_s3rver_read_back_exactly()
    {
        var (warehouse, _) = await TestWarehouses.S3Async();
        var table = await SilverLikeTable.CreateAsync(warehouse);
        await AppendThreeBatchesAsync(table);

        AssertReadsBack(table, 300);
    }

    internal static async Task AppendThreeBatchesAsync(IcebergTable table)
    {
        var day1 = SilverLikeTable.Day1;
        await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Enumerable.Range(0, 100).Select(i => SilverLikeTable.Row(i, day1))));
        await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Enumerable.Range(100, 100).Select(i => SilverLikeTable.Row(i, day1.AddDays(1)))));
        await table.AppendAsync(await SilverLikeTable.WriteAsync(table, Enumerable.Range(200, 100).Select(i => SilverLikeTable.Row(i, day1.AddDays(i % 2 == 0 ? 0 : 2)))));
    }

    private static void AssertReadsBack(IcebergTable table, int rows)
    {
        var source = TestWarehouses.ChDbSource(table);
        table.Metadata.CurrentSnapshot!.Summary["total-records"].Should().Be(rows.ToString(CultureInfo.InvariantCulture));
        TestWarehouses.Query($"SELECT count() FROM {source}").Should().Be(rows.ToString(CultureInfo.InvariantCulture));
        TestWarehouses.Query($"DESCRIBE TABLE {source} FORMAT TSV").Split('\n').Select(l => string.Join('\t', l.Split('\t').Take(2))).Should().Equal(
            "trade_id\tInt64",
            "symbol\tString",
            "price\tDecimal(18, 8)",
            "quantity\tDecimal(28, 12)",
            "exchange_ts\tDateTime64(6, \\'UTC\\')",
            "side\tNullable(String)",
            "trade_conditions\tArray(Nullable(String))",
            "vendor_data\tMap(String, Nullable(String))",
            "validation_errors\tArray(String)",
            "is_buyer_maker\tNullable(Bool)",
            "sequence\tNullable(Int32)");

        var actual = TestWarehouses.Query($"SELECT {Columns} FROM {source} ORDER BY trade_id FORMAT TSV").Split('\n');
        var expected = Enumerable.Range(0, rows).Select(i => ExpectedLine(i, i < 100 ? SilverLikeTable.Day1 : i < 200 ? SilverLikeTable.Day1.AddDays(1) : SilverLikeTable.Day1.AddDays(i % 2 == 0 ? 0 : 2)));
        actual.Should().Equal(expected);
    }

    /// <summary>How ClickHouse prints <see cref="SilverLikeTable.Row"/> in TSV, built from the written values.</summary>
    internal static string ExpectedLine(long i, DateTime day)
    {
        var row = SilverLikeTable.Row(i, day);
        var cells = new List<string>
        {
            ((long)row[0]!).ToString(CultureInfo.InvariantCulture),
            (string)row[1]!,
            Decimal((decimal)row[2]!, 8),
            Decimal((decimal)row[3]!, 12),
            ((DateTime)row[4]!).ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
            (string?)row[5] ?? "\\N",
            row[6] is string?[] list ? $"[{string.Join(',', list.Select(Quote))}]" : "[]",
            row[7] is Dictionary<string, string?> map ? $"{{{string.Join(',', map.Select(p => $"{Quote(p.Key)}:{Quote(p.Value)}"))}}}" : "{}",
            row[8] is string[] errors ? $"[{string.Join(',', errors.Select(Quote))}]" : "[]",
            row[9] is bool b ? (b ? "true" : "false") : "\\N",
            ((int)row[10]!).ToString(CultureInfo.InvariantCulture),
        };
        return string.Join('\t', cells);
    }

    private static string Quote(string? value) => value is null ? "NULL" : $"'{value}'";

    private static string Decimal(decimal value, int scale)
    {
        var text = value.ToString("F" + scale.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return text.Contains('.') ? text.TrimEnd('0').TrimEnd('.') : text;
    }
}
