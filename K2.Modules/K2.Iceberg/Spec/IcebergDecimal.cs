using System.Globalization;
using System.Numerics;

namespace K2.Iceberg.Spec;

/// <summary>
/// An exact decimal of up to 38 digits, Iceberg's widest <c>decimal(38, s)</c>, held as its unscaled integer and scale:
/// <see cref="decimal"/> holds only 28–29 digits, less than a 10^15 meme-coin quantity with 18 decimals needs.
/// </summary>
public readonly record struct IcebergDecimal(BigInteger Unscaled, int Scale) : IComparable<IcebergDecimal>, IComparable
{
    public const int MaxPrecision = 38;

    /// <summary>The number of digits of the unscaled value (at least 1).</summary>
    public int Digits => Unscaled.IsZero ? 1 : BigInteger.Abs(Unscaled).ToString(CultureInfo.InvariantCulture).Length;

    public static IcebergDecimal From(decimal value) => new(SingleValue.Unscaled(value, value.Scale), value.Scale);

    /// <summary>Plain decimal text such as <c>30000000000.000000000000000000</c> or <c>-0.5</c>.</summary>
    public static IcebergDecimal Parse(string text)
    {
        var trimmed = text.Trim();
        var point = trimmed.IndexOf('.', StringComparison.Ordinal);
        var scale = point < 0 ? 0 : trimmed.Length - point - 1;
        var digits = point < 0 ? trimmed : string.Concat(trimmed.AsSpan(0, point), trimmed.AsSpan(point + 1));
        return new IcebergDecimal(BigInteger.Parse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), scale);
    }

    /// <summary>The same value at <paramref name="scale"/>; fails rather than rounding.</summary>
    public IcebergDecimal Rescale(int scale)
    {
        if (scale == Scale) { return this; }
        if (scale > Scale) { return new IcebergDecimal(Unscaled * BigInteger.Pow(10, scale - Scale), scale); }
        var quotient = BigInteger.DivRem(Unscaled, BigInteger.Pow(10, Scale - scale), out var remainder);
        return remainder.IsZero ? new IcebergDecimal(quotient, scale) : throw new ArgumentException($"{this} has more than {scale} decimal places");
    }

    /// <summary>The value as a <see cref="decimal"/>; fails if it has more digits than one holds.</summary>
    public decimal ToDecimal() => decimal.Parse(ToString(), NumberStyles.Number, CultureInfo.InvariantCulture);

    public int CompareTo(IcebergDecimal other)
    {
        var scale = Math.Max(Scale, other.Scale);
        return Rescale(scale).Unscaled.CompareTo(other.Rescale(scale).Unscaled);
    }

    public int CompareTo(object? obj) => obj is IcebergDecimal other ? CompareTo(other) : throw new ArgumentException("not an IcebergDecimal", nameof(obj));

    public override string ToString()
    {
        var digits = BigInteger.Abs(Unscaled).ToString(CultureInfo.InvariantCulture).PadLeft(Scale + 1, '0');
        var text = Scale == 0 ? digits : $"{digits[..^Scale]}.{digits[^Scale..]}";
        return Unscaled.Sign < 0 ? "-" + text : text;
    }

    public static bool operator <(IcebergDecimal left, IcebergDecimal right) => left.CompareTo(right) < 0;

    public static bool operator >(IcebergDecimal left, IcebergDecimal right) => left.CompareTo(right) > 0;

    public static bool operator <=(IcebergDecimal left, IcebergDecimal right) => left.CompareTo(right) <= 0;

    public static bool operator >=(IcebergDecimal left, IcebergDecimal right) => left.CompareTo(right) >= 0;
}
