using K2.Iceberg.Spec;

namespace K2.Offload.Tables;

/// <summary>How a column travels from ClickHouse (RowBinary) to the Parquet writer.</summary>
public enum WireKind
{
    String, NullableString, Int32, Int64, NullableInt64, Bool, NullableBool, Decimal18, Micros, NullableMicros, StringList,
}

/// <summary>
/// One cold column: its Iceberg name and type and the ClickHouse expression that reads it from the hot table in the
/// wire form of <see cref="Wire"/> (timestamps as Unix microseconds, decimals as Decimal128 with scale 18).
/// </summary>
public sealed record ColdColumn(string Name, WireKind Wire, string HotExpression)
{
    public bool Required => Wire is WireKind.String or WireKind.Int32 or WireKind.Int64 or WireKind.Bool or WireKind.Decimal18 or WireKind.Micros;

    /// <summary>The Iceberg field; <paramref name="nextId"/> hands out ids for list elements.</summary>
    public NestedField ToField(int id, Func<int> nextId) => new(id, Name, Required, Wire switch
    {
        WireKind.String or WireKind.NullableString => PrimitiveType.String,
        WireKind.Int32 => PrimitiveType.Int,
        WireKind.Int64 or WireKind.NullableInt64 => PrimitiveType.Long,
        WireKind.Bool or WireKind.NullableBool => PrimitiveType.Boolean,
        WireKind.Decimal18 => ColdDecimal,
        WireKind.Micros or WireKind.NullableMicros => PrimitiveType.TimestampTz,
        WireKind.StringList => new ListType(nextId(), true, PrimitiveType.String),
        _ => throw new ArgumentOutOfRangeException(nameof(Wire), Wire, "unknown wire kind"),
    });

    /// <summary>
    /// The expression giving the column its Parquet form when ClickHouse writes the data file: timestamps as
    /// DateTime64(6, 'UTC') (INT64 TIMESTAMP(MICROS, UTC)), decimals as Decimal(28, 18), everything else as on the wire.
    /// </summary>
    public string ParquetExpression => Wire switch
    {
        WireKind.Micros or WireKind.NullableMicros => $"fromUnixTimestamp64Micro({HotExpression}, 'UTC')",
        WireKind.Decimal18 => $"CAST({HotExpression} AS Decimal({ColdDecimal.Precision}, {ColdDecimal.Scale}))",
        _ => HotExpression,
    };

    /// <summary>
    /// decimal(28,18): the widest the Parquet writer holds exactly (a .NET decimal). Hot values are Decimal(38,18) or
    /// wider; a value that does not fit fails the offload with its column named instead of being rounded.
    /// </summary>
    public static readonly PrimitiveType ColdDecimal = PrimitiveType.Decimal(28, 18);

    /// <summary>
    /// A String or LowCardinality(String) hot column, read as it is: both travel as String, and ClickHouse's Parquet
    /// encoder reuses a low-cardinality column's dictionary.
    /// </summary>
    public static ColdColumn Text(string name) => new(name, WireKind.String, name);

    public static ColdColumn Long(string name) => new(name, WireKind.Int64, $"toInt64({name})");

    public static ColdColumn Flag(string name) => new(name, WireKind.Bool, $"toBool({name})");

    public static ColdColumn Exact(string name) => new(name, WireKind.Decimal18, ExactDecimal(name));

    public static ColdColumn Time(string name) => new(name, WireKind.Micros, $"toUnixTimestamp64Micro(toDateTime64({name}, 6, 'UTC'))");

    /// <summary>
    /// A decimal that the hot tier computes as <paramref name="left"/> × <paramref name="right"/> at a wider scale (silver's
    /// quote volume, Decimal(76, 36)). Narrowing a 256-bit decimal divides, which costs ClickHouse about 0.6 CPU-seconds per
    /// million rows; exchange prices and sizes rarely carry more than 9 decimals, so the product of the two factors cut to
    /// 9 decimals is tried first and taken when it equals the hot value exactly. Other rows take <see cref="ExactDecimal"/>.
    /// </summary>
    public static ColdColumn Product(string name, string left, string right)
    {
        var candidate = $"toDecimal128({left}, 9) * toDecimal128({right}, 9)";
        return new(name, WireKind.Decimal18,
            $"{candidate} = {name} AND abs({candidate}) < {ColdDecimalLimit} ? {candidate} : ({ExactDecimal(name)})");
    }

    /// <summary>Decimal128(18) of <paramref name="expression"/>, or an error if that would lose digits.</summary>
    public static string ExactDecimal(string expression) =>
        $"throwIf(toDecimal128({expression}, 18) != {expression} OR abs(toDecimal128({expression}, 18)) >= {ColdDecimalLimit}, 'value of {expression} does not fit the cold decimal(28,18) exactly') = 0 ? toDecimal128({expression}, 18) : toDecimal128(0, 18)";

    /// <summary>10^10: decimal(28,18) holds 10 integer digits.</summary>
    private const string ColdDecimalLimit = "toDecimal128('10000000000', 18)";
}
