using K2.Iceberg.Catalog;
using K2.Iceberg.Spec;
using K2.Iceberg.Tables;

namespace K2.Tests.Iceberg;

/// <summary>A table shaped like silver trades: decimals, timestamptz, nulls, lists and a map, partitioned by day.</summary>
internal static class SilverLikeTable
{
    public static readonly Schema Schema = new(0,
    [
        NestedField.Require(1, "trade_id", PrimitiveType.Long),
        NestedField.Require(2, "symbol", PrimitiveType.String),
        NestedField.Require(3, "price", PrimitiveType.Decimal(18, 8)),
        NestedField.Require(4, "quantity", PrimitiveType.Decimal(28, 12)),
        NestedField.Require(5, "exchange_ts", PrimitiveType.TimestampTz),
        NestedField.Optional(6, "side", PrimitiveType.String),
        NestedField.Optional(7, "trade_conditions", new ListType(10, false, PrimitiveType.String)),
        NestedField.Optional(8, "vendor_data", new MapType(11, PrimitiveType.String, 12, false, PrimitiveType.String)),
        NestedField.Optional(9, "validation_errors", new ListType(13, true, PrimitiveType.String)),
        NestedField.Optional(14, "is_buyer_maker", PrimitiveType.Boolean),
        NestedField.Optional(15, "sequence", PrimitiveType.Int),
    ]);

    public static readonly PartitionSpec ByDay = new(0, [new PartitionField(5, 1000, "exchange_ts_day", Transform.Day)]);

    public static Task<IcebergTable> CreateAsync(IcebergWarehouse warehouse, string name = "trades") =>
        warehouse.CreateTableAsync(new TableIdentifier("k2", name), Schema, ByDay);

    public static readonly DateTime Day1 = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Row <paramref name="i"/>: deterministic values covering nulls, empty lists and extreme decimals.</summary>
    public static object?[] Row(long i, DateTime day) =>
    [
        i,
        i % 2 == 0 ? "BTC-USDT" : "ETH-USDT",
        i % 7 == 0 ? -0.00000001m : 65000.12345678m + i,
        i % 5 == 0 ? 9999999999999999.999999999999m : 0.000000000001m * (i + 1),
        day.AddSeconds(i).AddTicks(i * 10),
        i % 3 == 0 ? null : (i % 2 == 0 ? "buy" : "sell"),
        i % 4 == 0 ? null : i % 4 == 1 ? Array.Empty<string>() : new[] { "c" + i, i % 4 == 3 ? null : "x" },
        i % 6 == 0 ? null : new Dictionary<string, string?> { ["k"] = "v" + i, ["n"] = i % 2 == 0 ? null : "1" },
        i % 5 == 1 ? new[] { "price_outlier" } : null,
        i % 3 == 1 ? null : i % 2 == 0,
        (int)i,
    ];

    public static async Task<IReadOnlyList<K2.Iceberg.Spec.DataFile>> WriteAsync(IcebergTable table, IEnumerable<object?[]> rows)
    {
        await using var appender = table.NewAppender();
        foreach (var row in rows) { await appender.WriteAsync(row); }
        return await appender.CompleteAsync();
    }
}
