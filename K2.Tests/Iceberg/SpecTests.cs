using K2.Iceberg.Spec;

namespace K2.Tests.Iceberg;

/// <summary>Transforms and bound encodings against the spec's own examples (Appendix B and D).</summary>
[TestFixture]
public sealed class SpecTests
{
    private static readonly PrimitiveType Decimal92 = PrimitiveType.Decimal(9, 2);

    [TestCase(34, 2017239379)]
    public void Bucket_hashes_ints_widened_to_long(int value, int hash)
    {
        Transform.Bucket(int.MaxValue).Apply(PrimitiveType.Int, value).Should().Be(hash & int.MaxValue);
        Transform.Bucket(int.MaxValue).Apply(PrimitiveType.Long, (long)value).Should().Be(hash & int.MaxValue);
    }

    [Test]
    public void Bucket_hashes_match_the_spec_examples()
    {
        var all = Transform.Bucket(int.MaxValue);
        all.Apply(PrimitiveType.String, "iceberg").Should().Be(1210000089);
        all.Apply(PrimitiveType.Date, new DateOnly(2017, 11, 16)).Should().Be(-653330422 & int.MaxValue);
        all.Apply(PrimitiveType.TimestampTz, new DateTime(2017, 11, 16, 22, 31, 8, DateTimeKind.Utc)).Should().Be(-2047944441 & int.MaxValue);
        all.Apply(Decimal92, 14.20m).Should().Be(-500754589 & int.MaxValue);
        Transform.Bucket(16).Apply(PrimitiveType.String, "iceberg").Should().Be(1210000089 % 16);
    }

    [Test]
    public void Time_transforms_floor_values_before_1970()
    {
        var justBefore = new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc);
        Transform.Day.Apply(PrimitiveType.TimestampTz, justBefore).Should().Be(-1);
        Transform.Hour.Apply(PrimitiveType.TimestampTz, justBefore).Should().Be(-1);
        Transform.Month.Apply(PrimitiveType.TimestampTz, justBefore).Should().Be(-1);
        Transform.Day.Apply(PrimitiveType.TimestampTz, new DateTime(2026, 3, 2, 0, 0, 0, DateTimeKind.Utc)).Should().Be(20514);
        Transform.Day.Apply(PrimitiveType.TimestampTz, 20514L * 86_400_000_000L + 1).Should().Be(20514, "timestamps may be given as Unix microseconds");
    }

    [Test]
    public void A_year_month_or_day_value_names_the_first_day_of_its_period()
    {
        Transform.Day.PeriodStart(20514).Should().Be(new DateOnly(2026, 3, 2));
        Transform.Month.PeriodStart((2026 - 1970) * 12 + 2).Should().Be(new DateOnly(2026, 3, 1));
        Transform.Year.PeriodStart(56).Should().Be(new DateOnly(2026, 1, 1));
        Transform.Month.PeriodStart(-1).Should().Be(new DateOnly(1969, 12, 1));
        foreach (var day in new[] { new DateOnly(1969, 12, 31), new DateOnly(2024, 2, 29), new DateOnly(2026, 12, 4) })
        {
            Transform.Month.PeriodStart((int)Transform.Month.Apply(PrimitiveType.Date, day)!).Should().Be(new DateOnly(day.Year, day.Month, 1));
            Transform.Day.PeriodStart((int)Transform.Day.Apply(PrimitiveType.Date, day)!).Should().Be(day);
        }

        var hour = () => Transform.Hour.PeriodStart(1);
        hour.Should().Throw<NotSupportedException>();
    }

    [Test]
    public void Truncate_follows_the_spec_examples()
    {
        Transform.Truncate(10).Apply(PrimitiveType.Int, 1).Should().Be(0);
        Transform.Truncate(10).Apply(PrimitiveType.Int, -1).Should().Be(-10);
        Transform.Truncate(10).Apply(PrimitiveType.Long, -1L).Should().Be(-10L);
        Transform.Truncate(50).Apply(Decimal92, 10.65m).Should().Be(10.50m);
        Transform.Truncate(3).Apply(PrimitiveType.String, "iceberg").Should().Be("ice");
    }

    [Test]
    public void Bounds_use_single_value_encoding()
    {
        SingleValue.Encode(Decimal92, 14.20m).Should().Equal(0x05, 0x8C);
        SingleValue.Encode(Decimal92, -0.01m).Should().Equal(0xFF);
        SingleValue.Encode(PrimitiveType.Long, 1L).Should().Equal(1, 0, 0, 0, 0, 0, 0, 0);
        SingleValue.Encode(PrimitiveType.TimestampTz, DateTime.UnixEpoch.AddTicks(10)).Should().Equal(1, 0, 0, 0, 0, 0, 0, 0);
        SingleValue.Encode(PrimitiveType.TimestampTz, 1L).Should().Equal(1, 0, 0, 0, 0, 0, 0, 0);
        SingleValue.Encode(PrimitiveType.Date, new DateOnly(1970, 1, 2)).Should().Equal(1, 0, 0, 0);
        SingleValue.Encode(PrimitiveType.String, "é").Should().Equal(0xC3, 0xA9);
        SingleValue.Decode(Decimal92, [0x05, 0x8C]).Should().Be(IcebergDecimal.Parse("14.20"));
    }

    [Test]
    public void A_decimal_with_more_places_than_the_scale_is_refused_not_rounded()
    {
        var encode = () => SingleValue.Encode(Decimal92, 1.005m);
        encode.Should().Throw<ArgumentException>().WithMessage("*more than 2 decimal places*");
    }
}
