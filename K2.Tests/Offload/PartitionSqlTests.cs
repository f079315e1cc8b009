using K2.Iceberg.Spec;
using K2.Offload.Tables;
using K2.Tests.Iceberg;

namespace K2.Tests.Offload;

[TestFixture]
public sealed class PartitionSqlTests
{
    private static readonly ColdTable Silver = ColdTables.Silver;

    // Text partition values reach file names as hex, so a value with '/', quotes or non-ASCII letters names a safe file.
    [TestCase("2026-03-01 00:00:00", "binance", "BTC/USDT")]
    [TestCase("1969-12-31 23:59:59.999999", "crypto.com/ü's", "ETH/EUR")]
    [TestCase("2026-11-28 12:34:56.5", "kraken", "SOL/USD")]
    public void ClickHouse_names_a_row_s_partition_file_as_the_offloader_names_its_key(string time, string exchange, string symbol)
    {
        var row = Silver.Columns.Select(c => (object?)(c.Name switch
        {
            "exchange_ts" => DateTime.SpecifyKind(DateTime.Parse(time, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc),
            "exchange" => exchange,
            "canonical_symbol" => symbol,
            _ => null,
        })).ToList();
        var key = Silver.PartitionSpec.KeyOf(Silver.Schema, row);
        var fields = Silver.PartitionSpec.Fields;
        var expressions = fields.Select(f => PartitionSql.Expression(Silver, f)).ToList();

        var name = TestWarehouses.Query($"SELECT {PartitionSql.FileNameExpression(expressions, Silver, fields)} FROM {Cold(time, exchange, symbol)}");
        var inKey = TestWarehouses.Query($"SELECT {PartitionSql.Filter(expressions, [key])} FROM {Cold(time, exchange, symbol)}");

        name.Should().Be(PartitionSql.FileName(key)).And.MatchRegex("^[A-Za-z0-9_-]+$");
        inKey.Should().Be("1");
        PartitionSql.ParseFileName(Silver, name).Should().Be(key, "a file ClickHouse wrote names the partition it holds");
    }

    [Test]
    public void A_filter_on_several_partitions_selects_exactly_their_rows()
    {
        var fields = Silver.PartitionSpec.Fields;
        var expressions = fields.Select(f => PartitionSql.Expression(Silver, f)).ToList();
        PartitionKey Key(int month, string exchange, int bucket) => new([month, exchange, bucket]);
        var rows = $"""
            SELECT * FROM {Cold("2026-03-01 10:00:00", "binance", "BTC/USDT")}
            UNION ALL SELECT * FROM {Cold("2026-04-02 10:00:00", "binance", "BTC/USDT")}
            UNION ALL SELECT * FROM {Cold("2026-03-01 10:00:00", "kraken", "BTC/USDT")}
            """;
        var bucket = int.Parse(TestWarehouses.Query("SELECT icebergBucket(4, 'BTC/USDT')"), System.Globalization.CultureInfo.InvariantCulture);

        var selected = TestWarehouses.Query(
            $"SELECT toString(toDate(exchange_ts)) || ' ' || exchange FROM ({rows}) WHERE {PartitionSql.Filter(expressions, [Key(((2026 - 1970) * 12) + 2, "binance", bucket), Key(((2026 - 1970) * 12) + 2, "kraken", bucket)])} ORDER BY 1");

        selected.Split('\n').Should().Equal("2026-03-01 binance", "2026-03-01 kraken");
    }

    private static string Cold(string time, string exchange, string symbol) =>
        $"(SELECT toDateTime64('{time}', 6, 'UTC') AS exchange_ts, '{exchange.Replace("'", "\\'", StringComparison.Ordinal)}' AS exchange, '{symbol}' AS canonical_symbol)";
}
