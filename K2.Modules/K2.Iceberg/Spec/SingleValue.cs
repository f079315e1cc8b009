using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace K2.Iceberg.Spec;

/// <summary>Iceberg's single-value binary serialization (spec Appendix D), used for bounds in manifests.</summary>
public static class SingleValue
{
    private static readonly int EpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    public static byte[] Encode(PrimitiveType type, object value)
    {
        switch (type.Kind)
        {
            case PrimitiveKind.Boolean: return [(bool)value ? (byte)1 : (byte)0];
            case PrimitiveKind.Int: return Le32((int)value);
            case PrimitiveKind.Date: return Le32(value is DateOnly d ? d.DayNumber - EpochDay : (int)value);
            case PrimitiveKind.Long: return Le64((long)value);
            case PrimitiveKind.Timestamp or PrimitiveKind.TimestampTz: return Le64(value is long micros ? micros : Micros((DateTime)value));
            case PrimitiveKind.Float:
                var f = new byte[4]; BinaryPrimitives.WriteSingleLittleEndian(f, (float)value); return f;
            case PrimitiveKind.Double:
                var g = new byte[8]; BinaryPrimitives.WriteDoubleLittleEndian(g, (double)value); return g;
            case PrimitiveKind.String: return Encoding.UTF8.GetBytes((string)value);
            case PrimitiveKind.Binary: return (byte[])value;
            case PrimitiveKind.Decimal: return ToDecimal(type, value).Unscaled.ToByteArray(isUnsigned: false, isBigEndian: true);
            default: throw new NotSupportedException(type.ToString());
        }
    }

    public static long Micros(DateTime value) => (value.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    public static DateTime FromMicros(long micros) => new(DateTime.UnixEpoch.Ticks + (micros * 10), DateTimeKind.Utc);

    /// <summary>The unscaled two's-complement big-endian value in the fewest bytes.</summary>
    public static byte[] DecimalBytes(decimal value, int scale) => Unscaled(value, scale).ToByteArray(isUnsigned: false, isBigEndian: true);

    /// <summary>The unscaled integer of <paramref name="value"/> at <paramref name="scale"/>; fails rather than rounding.</summary>
    public static BigInteger Unscaled(decimal value, int scale)
    {
        var bits = decimal.GetBits(value);
        var mantissa = new BigInteger((uint)bits[0]) | (new BigInteger((uint)bits[1]) << 32) | (new BigInteger((uint)bits[2]) << 64);
        if (value < 0) { mantissa = -mantissa; }
        var valueScale = value.Scale;
        if (valueScale <= scale) { return mantissa * BigInteger.Pow(10, scale - valueScale); }
        var divisor = BigInteger.Pow(10, valueScale - scale);
        var quotient = BigInteger.DivRem(mantissa, divisor, out var remainder);
        return remainder.IsZero ? quotient : throw new ArgumentException($"{value} has more than {scale} decimal places");
    }

    public static decimal FromUnscaled(BigInteger unscaled, int scale) => (decimal)unscaled / (decimal)BigInteger.Pow(10, scale);

    /// <summary>
    /// A decimal column's value (<see cref="IcebergDecimal"/> or <see cref="decimal"/>) at the column's scale; fails
    /// rather than rounding, and when it has more digits than the column's precision.
    /// </summary>
    public static IcebergDecimal ToDecimal(PrimitiveType type, object value)
    {
        var exact = (value switch
        {
            IcebergDecimal d => d,
            decimal d => IcebergDecimal.From(d),
            _ => throw new ArgumentException($"a {type} value must be a decimal, not {value.GetType().Name}"),
        }).Rescale(type.Scale);
        return exact.Digits <= type.Precision ? exact : throw new ArgumentException($"{exact} has more digits than {type} holds");
    }

    public static object Decode(PrimitiveType type, byte[] bytes) => type.Kind switch
    {
        PrimitiveKind.Boolean => bytes[0] != 0,
        PrimitiveKind.Int => BinaryPrimitives.ReadInt32LittleEndian(bytes),
        PrimitiveKind.Date => DateOnly.FromDayNumber(EpochDay + BinaryPrimitives.ReadInt32LittleEndian(bytes)),
        PrimitiveKind.Long => BinaryPrimitives.ReadInt64LittleEndian(bytes),
        PrimitiveKind.Timestamp or PrimitiveKind.TimestampTz => FromMicros(BinaryPrimitives.ReadInt64LittleEndian(bytes)),
        PrimitiveKind.Float => BinaryPrimitives.ReadSingleLittleEndian(bytes),
        PrimitiveKind.Double => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
        PrimitiveKind.String => Encoding.UTF8.GetString(bytes),
        PrimitiveKind.Binary => bytes,
        PrimitiveKind.Decimal => new IcebergDecimal(new BigInteger(bytes, isUnsigned: false, isBigEndian: true), type.Scale),
        _ => throw new NotSupportedException(type.ToString()),
    };

    private static byte[] Le32(int v) { var b = new byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, v); return b; }

    private static byte[] Le64(long v) { var b = new byte[8]; BinaryPrimitives.WriteInt64LittleEndian(b, v); return b; }
}
