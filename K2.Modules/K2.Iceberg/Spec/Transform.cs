using System.Globalization;
using System.Text;

namespace K2.Iceberg.Spec;

public enum TransformKind { Identity, Year, Month, Day, Hour, Bucket, Truncate, Void }

/// <summary>A partition transform (spec "Partition Transforms") and its application to a source value.</summary>
public sealed record Transform(TransformKind Kind, int Parameter = 0)
{
    public static readonly Transform Identity = new(TransformKind.Identity);
    public static readonly Transform Year = new(TransformKind.Year);
    public static readonly Transform Month = new(TransformKind.Month);
    public static readonly Transform Day = new(TransformKind.Day);
    public static readonly Transform Hour = new(TransformKind.Hour);

    private static readonly DateOnly EpochDay = new(1970, 1, 1);

    public static Transform Bucket(int buckets) => buckets > 0 ? new(TransformKind.Bucket, buckets) : throw new ArgumentOutOfRangeException(nameof(buckets), "bucket count must be positive");

    public static Transform Truncate(int width) => width > 0 ? new(TransformKind.Truncate, width) : throw new ArgumentOutOfRangeException(nameof(width), "truncate width must be positive");

    public override string ToString() => Kind switch
    {
        TransformKind.Bucket => string.Create(CultureInfo.InvariantCulture, $"bucket[{Parameter}]"),
        TransformKind.Truncate => string.Create(CultureInfo.InvariantCulture, $"truncate[{Parameter}]"),
        _ => Kind.ToString().ToLowerInvariant(),
    };

    public static Transform Parse(string text)
    {
        if (text.StartsWith("bucket[", StringComparison.Ordinal)) { return Bucket(int.Parse(text[7..^1], CultureInfo.InvariantCulture)); }
        if (text.StartsWith("truncate[", StringComparison.Ordinal)) { return Truncate(int.Parse(text[9..^1], CultureInfo.InvariantCulture)); }
        return Enum.TryParse<TransformKind>(text, ignoreCase: true, out var kind) && kind is not (TransformKind.Bucket or TransformKind.Truncate)
            ? new Transform(kind)
            : throw new NotSupportedException($"partition transform '{text}' is not supported");
    }

    /// <summary>The type of the partition value in manifests.</summary>
    public PrimitiveType ResultType(PrimitiveType source) => Kind switch
    {
        TransformKind.Identity or TransformKind.Truncate => source,
        TransformKind.Day => PrimitiveType.Date,
        _ => PrimitiveType.Int,
    };

    /// <summary>
    /// The partition value of <paramref name="value"/> (already in writer form: DateTime for timestamps, DateOnly for
    /// dates). Time transforms use floor division so values before 1970 land in the right period.
    /// </summary>
    public object? Apply(PrimitiveType source, object? value)
    {
        if (value is null || Kind == TransformKind.Void) { return null; }
        return Kind switch
        {
            TransformKind.Identity => value is DateOnly d ? d.DayNumber - EpochDay.DayNumber : value,
            TransformKind.Year => YearsSinceEpoch(value),
            TransformKind.Month => MonthsSinceEpoch(value),
            TransformKind.Day => checked((int)FloorDiv(Micros(value), 86_400_000_000L)),
            TransformKind.Hour => checked((int)FloorDiv(Micros(value), 3_600_000_000L)),
            TransformKind.Bucket => (Murmur3.Hash32(BucketBytes(source, value)) & int.MaxValue) % Parameter,
            TransformKind.Truncate => TruncateValue(value),
            _ => throw new NotSupportedException(ToString()),
        };
    }

    /// <summary>The first day of the period a year, month or day partition value stands for (the inverse of <see cref="Apply"/> for those).</summary>
    public DateOnly PeriodStart(int value) => Kind switch
    {
        TransformKind.Year => EpochDay.AddYears(value),
        TransformKind.Month => EpochDay.AddMonths(value),
        TransformKind.Day => EpochDay.AddDays(value),
        _ => throw new NotSupportedException($"partition transform '{this}' has no period of days"),
    };

    private static long Micros(object value) => value switch
    {
        DateTime dt => (dt.Ticks - DateTime.UnixEpoch.Ticks) / 10,
        long micros => micros,
        DateOnly d => (long)(d.DayNumber - EpochDay.DayNumber) * 86_400_000_000L,
        _ => throw new ArgumentException($"time transform needs a date or timestamp, got {value.GetType().Name}"),
    };

    private static int YearsSinceEpoch(object value) => DateOf(value).Year - 1970;

    private static int MonthsSinceEpoch(object value)
    {
        var date = DateOf(value);
        return ((date.Year - 1970) * 12) + date.Month - 1;
    }

    private static DateTime DateOf(object value) => value switch
    {
        DateTime dt => dt,
        long micros => SingleValue.FromMicros(micros),
        DateOnly d => d.ToDateTime(TimeOnly.MinValue),
        _ => throw new ArgumentException($"time transform needs a date or timestamp, got {value.GetType().Name}"),
    };

    internal static long FloorDiv(long value, long divisor) => (value / divisor) - ((value % divisor != 0 && (value < 0) != (divisor < 0)) ? 1 : 0);

    private object TruncateValue(object value) => value switch
    {
        int i => i - (((i % Parameter) + Parameter) % Parameter),
        long l => l - (((l % Parameter) + Parameter) % Parameter),
        string s => TruncateString(s, Parameter),
        decimal d => TruncateDecimal(d),
        IcebergDecimal d => d with { Unscaled = d.Unscaled - (((d.Unscaled % Parameter) + Parameter) % Parameter) },
        _ => throw new ArgumentException($"truncate does not apply to {value.GetType().Name}"),
    };

    private decimal TruncateDecimal(decimal value)
    {
        var scale = value.Scale;
        var unscaled = SingleValue.Unscaled(value, scale);
        var truncated = unscaled - (((unscaled % Parameter) + Parameter) % Parameter);
        return SingleValue.FromUnscaled(truncated, scale);
    }

    internal static string TruncateString(string value, int codePoints)
    {
        var end = 0;
        for (var count = 0; count < codePoints && end < value.Length; count++)
        {
            end += char.IsHighSurrogate(value[end]) && end + 1 < value.Length ? 2 : 1;
        }

        return value[..end];
    }

    private static byte[] BucketBytes(PrimitiveType source, object value) => value switch
    {
        int i => BitConverter.GetBytes((long)i),
        long l => BitConverter.GetBytes(l),
        DateOnly d => BitConverter.GetBytes((long)(d.DayNumber - EpochDay.DayNumber)),
        DateTime => BitConverter.GetBytes(Micros(value)),
        string s => Encoding.UTF8.GetBytes(s),
        decimal or IcebergDecimal => SingleValue.Encode(source, value),
        byte[] b => b,
        _ => throw new ArgumentException($"bucket does not apply to {value.GetType().Name}"),
    };
}
