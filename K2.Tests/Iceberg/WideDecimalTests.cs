using K2.Iceberg.Catalog;
using K2.Iceberg.Spec;

namespace K2.Tests.Iceberg;

[TestFixture]
public sealed class WideDecimalTests
{
    private static readonly PrimitiveType Wide = PrimitiveType.Decimal(38, 18);

    private static readonly string[] Values =
    [
        "30000000000.000000000000000000",
        "1000000000000000.000000000000000001",
        "99999999999999999999.999999999999999999",
        "-99999999999999999999.999999999999999999",
        "0.000000000000000001",
    ];

    [Test]
    public async Task The_dotnet_writer_keeps_all_38_digits_and_chDB_and_the_reader_read_them_back_exactly()
    {
        var warehouse = await TestWarehouses.LocalAsync();
        var schema = new Schema(0, [NestedField.Require(1, "id", PrimitiveType.Long), NestedField.Optional(2, "quantity", Wide)]);
        var table = await warehouse.CreateTableAsync(new TableIdentifier("k2", "wide"), schema, PartitionSpec.Unpartitioned);
        await using (var appender = table.NewAppender())
        {
            for (var i = 0; i < Values.Length; i++) { await appender.WriteAsync([(long)i, IcebergDecimal.Parse(Values[i])]); }
            await appender.WriteAsync([(long)Values.Length, null]);
            await table.AppendAsync(await appender.CompleteAsync());
        }

        var file = (await table.ListDataFilesAsync()).Single();
        var read = new List<object?[]>();
        await foreach (var row in table.ReadRowsAsync(file)) { read.Add(row); }

        read.Select(r => r[1]).Should().Equal([.. Values.Select(v => (object?)IcebergDecimal.Parse(v)), null]);
        SingleValue.Decode(Wide, file.LowerBounds[2]).Should().Be(IcebergDecimal.Parse(Values[3]));
        SingleValue.Decode(Wide, file.UpperBounds[2]).Should().Be(IcebergDecimal.Parse(Values[2]));
        TestWarehouses.Query($"SELECT toString(quantity) FROM {TestWarehouses.ChDbSource(table)} WHERE quantity IS NOT NULL ORDER BY id")
            .Split('\n').Should().Equal(Values.Select(v => v.TrimEnd('0').TrimEnd('.')));
    }

    [Test]
    public void A_value_with_more_digits_than_the_precision_is_refused_not_written()
    {
        var act = () => SingleValue.ToDecimal(Wide, IcebergDecimal.Parse("100000000000000000000.000000000000000000"));

        act.Should().Throw<ArgumentException>().WithMessage("*more digits than decimal(38,18) holds*");
    }

    [Test]
    public void Only_the_precision_of_a_decimal_widens_by_schema_evolution()
    {
        PrimitiveType.Decimal(28, 18).PromotesTo(Wide).Should().BeTrue();
        PrimitiveType.Decimal(28, 18).PromotesTo(PrimitiveType.Decimal(38, 20)).Should().BeFalse("the spec never changes a decimal's scale");
        Wide.PromotesTo(PrimitiveType.Decimal(28, 18)).Should().BeFalse();
        PrimitiveType.Int.PromotesTo(PrimitiveType.Long).Should().BeTrue();
    }
}
