using System.Globalization;

namespace K2.Iceberg.Spec;

/// <summary>An Iceberg v2 type: a primitive, a list or a map (structs are only the table schema itself).</summary>
public abstract record IcebergType
{
    /// <summary>The spec's JSON name for a primitive type; lists and maps are JSON objects.</summary>
    public abstract override string ToString();
}

public enum PrimitiveKind
{
    Boolean, Int, Long, Float, Double, Decimal, Date, Timestamp, TimestampTz, String, Binary,
}

public sealed record PrimitiveType(PrimitiveKind Kind, int Precision = 0, int Scale = 0) : IcebergType
{
    public static readonly PrimitiveType Boolean = new(PrimitiveKind.Boolean);
    public static readonly PrimitiveType Int = new(PrimitiveKind.Int);
    public static readonly PrimitiveType Long = new(PrimitiveKind.Long);
    public static readonly PrimitiveType Float = new(PrimitiveKind.Float);
    public static readonly PrimitiveType Double = new(PrimitiveKind.Double);
    public static readonly PrimitiveType Date = new(PrimitiveKind.Date);
    public static readonly PrimitiveType Timestamp = new(PrimitiveKind.Timestamp);
    public static readonly PrimitiveType TimestampTz = new(PrimitiveKind.TimestampTz);
    public static readonly PrimitiveType String = new(PrimitiveKind.String);
    public static readonly PrimitiveType Binary = new(PrimitiveKind.Binary);

    /// <summary>decimal(P,S), P up to 38 (the spec's maximum; values are <see cref="IcebergDecimal"/>).</summary>
    public static PrimitiveType Decimal(int precision, int scale)
    {
        if (precision is < 1 or > IcebergDecimal.MaxPrecision) { throw new ArgumentOutOfRangeException(nameof(precision), precision, "decimal precision must be 1..38"); }
        if (scale < 0 || scale > precision) { throw new ArgumentOutOfRangeException(nameof(scale), scale, "decimal scale must be 0..precision"); }
        return new PrimitiveType(PrimitiveKind.Decimal, precision, scale);
    }

    /// <summary>
    /// Whether a column of this type may become <paramref name="wider"/> by schema evolution (spec "Schema Evolution"):
    /// int to long, float to double, decimal(P,S) to decimal(P',S) with P' ≥ P.
    /// </summary>
    public bool PromotesTo(PrimitiveType wider) => this == wider || (Kind, wider.Kind) switch
    {
        (PrimitiveKind.Int, PrimitiveKind.Long) or (PrimitiveKind.Float, PrimitiveKind.Double) => true,
        (PrimitiveKind.Decimal, PrimitiveKind.Decimal) => wider.Scale == Scale && wider.Precision >= Precision,
        _ => false,
    };

    public override string ToString() => Kind switch
    {
        PrimitiveKind.Boolean => "boolean",
        PrimitiveKind.Int => "int",
        PrimitiveKind.Long => "long",
        PrimitiveKind.Float => "float",
        PrimitiveKind.Double => "double",
        PrimitiveKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"decimal({Precision},{Scale})"),
        PrimitiveKind.Date => "date",
        PrimitiveKind.Timestamp => "timestamp",
        PrimitiveKind.TimestampTz => "timestamptz",
        PrimitiveKind.String => "string",
        PrimitiveKind.Binary => "binary",
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "unknown primitive"),
    };

    public static PrimitiveType Parse(string text)
    {
        if (text.StartsWith("decimal(", StringComparison.Ordinal))
        {
            var parts = text["decimal(".Length..^1].Split(',');
            return Decimal(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        return text switch
        {
            "boolean" => Boolean,
            "int" => Int,
            "long" => Long,
            "float" => Float,
            "double" => Double,
            "date" => Date,
            "timestamp" => Timestamp,
            "timestamptz" => TimestampTz,
            "string" => String,
            "binary" => Binary,
            _ => throw new NotSupportedException($"Iceberg type '{text}' is not supported by this writer"),
        };
    }
}

/// <summary>list&lt;element&gt; with the element's own field id.</summary>
public sealed record ListType(int ElementId, bool ElementRequired, PrimitiveType Element) : IcebergType
{
    public override string ToString() => $"list<{Element}>";
}

/// <summary>map&lt;key, value&gt;; keys are always required.</summary>
public sealed record MapType(int KeyId, PrimitiveType Key, int ValueId, bool ValueRequired, PrimitiveType Value) : IcebergType
{
    public override string ToString() => $"map<{Key},{Value}>";
}
