using K2.Iceberg.Spec;

namespace K2.Offload.Tables;

/// <summary>How a column travels from ClickHouse (RowBinary) to the Parquet writer.</summary>
public enum WireKind
{
    String, NullableString, Int32, Int64, NullableInt64, Bool, NullableBool, Decimal, Micros, NullableMicros, StringList,
}

/// <summary>
/// One cold column: its Iceberg name and type and the ClickHouse expression that reads it from the hot table in the
/// wire form of <see cref="Wire"/> (timestamps as Unix microseconds, decimals as Decimal128 at the cold scale).
/// </summary>
public sealed record ColdColumn(string Name, WireKind Wire, string HotExpression)
{
    public bool Required => Wire is WireKind.String or WireKind.Int32 or WireKind.Int64 or WireKind.Bool or WireKind.Decimal or WireKind.Micros;

    /// <summary>The Iceberg field; <paramref name="nextId"/> hands out ids for list elements.</summary>
    public NestedField ToField(int id, Func<int> nextId) => new(id, Name, Required, Wire switch
    {
        WireKind.String or WireKind.NullableString => PrimitiveType.String,
        WireKind.Int32 => PrimitiveType.Int,
        WireKind.Int64 or WireKind.NullableInt64 => PrimitiveType.Long,
        WireKind.Bool or WireKind.NullableBool => PrimitiveType.Boolean,
        WireKind.Decimal => ColdDecimal,
        WireKind.Micros or WireKind.NullableMicros => PrimitiveType.TimestampTz,
        WireKind.StringList => new ListType(nextId(), true, PrimitiveType.String),
        _ => throw new ArgumentOutOfRangeException(nameof(Wire), Wire, "unknown wire kind"),
    });

    /// <summary>
    /// The expression giving the column its Parquet form when ClickHouse writes the data file: timestamps as
    /// DateTime64(6, 'UTC') (INT64 TIMESTAMP(MICROS, UTC)), decimals as Decimal(38, 18), everything else as on the wire.
    /// </summary>
    public string ParquetExpression => Wire switch
    {
        WireKind.Micros or WireKind.NullableMicros => $"fromUnixTimestamp64Micro({HotExpression}, 'UTC')",
        WireKind.Decimal => $"CAST({HotExpression} AS {ColdDecimalSql})",
        _ => HotExpression,
    };

    /// <summary>
    /// A ClickHouse condition over the hot row that is true when the cold table can hold this column's value exactly,
    /// or null when every hot value fits. A row failing it is quarantined instead of stopping the offload.
    /// </summary>
    public string? FitsCondition { get; init; }

    /// <summary>Why a row fails <see cref="FitsCondition"/>, as a ClickHouse String expression naming the column and value.</summary>
    public string? MisfitReason { get; init; }

    /// <summary>
    /// decimal(38, 18) for every exact column: 38 digits is Iceberg's maximum precision, and 18 decimals is the hot tier's
    /// scale (prices, quantities and candle sums are Decimal(38, 18) there), so a hot value converts with nothing lost —
    /// quantities and day volumes up to 10^20. Iceberg's schema evolution may widen a decimal's precision but never change
    /// its scale, so tables created as decimal(28, 18) are promoted in place. Only a quote volume (a Decimal(76, 36)
    /// product in the hot tier) can have more: more than 18 decimals or 20 integer digits, and that row is quarantined.
    /// </summary>
    public static readonly PrimitiveType ColdDecimal = PrimitiveType.Decimal(IcebergDecimal.MaxPrecision, 18);

    private static readonly string ColdDecimalSql = $"Decimal({ColdDecimal.Precision}, {ColdDecimal.Scale})";

    /// <summary>
    /// A String or LowCardinality(String) hot column, read as it is: both travel as String, and ClickHouse's Parquet
    /// encoder reuses a low-cardinality column's dictionary.
    /// </summary>
    public static ColdColumn Text(string name) => new(name, WireKind.String, name);

    public static ColdColumn Long(string name) => new(name, WireKind.Int64, $"toInt64({name})");

    public static ColdColumn Flag(string name) => new(name, WireKind.Bool, $"toBool({name})");

    /// <summary>An exact decimal column: the hot value at the cold scale, quarantined when that would lose digits.</summary>
    public static ColdColumn Exact(string name) => new(name, WireKind.Decimal, $"toDecimal128({name}, {ColdDecimal.Scale})")
    {
        FitsCondition = Fits(name),
        MisfitReason = Misfit(name),
    };

    public static ColdColumn Time(string name) => new(name, WireKind.Micros, $"toUnixTimestamp64Micro(toDateTime64({name}, 6, 'UTC'))");

    /// <summary>
    /// A decimal that the hot tier computes as <paramref name="left"/> × <paramref name="right"/> at a wider scale (silver's
    /// quote volume, Decimal(76, 36)). Narrowing a 256-bit decimal divides, which costs ClickHouse about 0.6 CPU-seconds per
    /// million rows; exchange prices and sizes rarely carry more than 9 decimals, so the product of the two factors cut to
    /// 9 decimals is tried first and taken when it equals the hot value exactly (a cheap float estimate first keeps the
    /// 128-bit product from overflowing). Other rows are narrowed.
    /// </summary>
    public static ColdColumn Product(string name, string left, string right)
    {
        var candidate = $"toDecimal128({left}, 9) * toDecimal128({right}, 9)";
        return new(name, WireKind.Decimal,
            $"abs(toFloat64({left}) * toFloat64({right})) < 1e19 AND {candidate} = {name} ? {candidate} : toDecimal128({name}, {ColdDecimal.Scale})")
        {
            FitsCondition = Fits(name),
            MisfitReason = Misfit(name),
        };
    }

    /// <summary>
    /// True when <paramref name="expression"/> converts to the cold decimal with nothing lost: no digit cut, and within the
    /// precision (ClickHouse's Decimal128 holds up to 1.7 × 10^38 unscaled whatever the declared precision, so the 20
    /// integer digits are checked apart).
    /// </summary>
    private static string Fits(string expression) =>
        $"abs({expression}) < {IntegerLimit} AND ifNull(accurateCastOrNull({expression}, '{ColdDecimalSql}') = {expression}, false)";

    /// <summary>10^20: decimal(38, 18) holds 20 integer digits.</summary>
    private static readonly string IntegerLimit = $"toDecimal128('1{new string('0', ColdDecimal.Precision - ColdDecimal.Scale)}', 0)";

    private static string Misfit(string expression) =>
        $"concat('{expression} ', toString({expression}), ' does not fit the cold decimal({ColdDecimal.Precision},{ColdDecimal.Scale}) exactly')";
}
