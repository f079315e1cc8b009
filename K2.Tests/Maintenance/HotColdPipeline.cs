using K2.Iceberg.Spec;
using System.Globalization;
using System.Text.Json;
using K2.ClickHouse.Gateway;
using K2.Iceberg.Tables;
using K2.Offload.Tables;
using K2.Tests.ClickHouse;

namespace K2.Tests.Maintenance;

/// <summary>
/// A real hot tier (migrations applied on embedded chDB: bronze → silver → candles through the materialized views) and
/// cold tables written from it with the Iceberg library, column by column as the <see cref="ColdTables"/> definitions say.
/// </summary>
internal sealed class HotColdPipeline : IAsyncDisposable
{
    private HotColdPipeline(HotTier hot, IcebergWarehouse warehouse)
    {
        Hot = hot;
        Warehouse = warehouse;
    }

    public HotTier Hot { get; }

    public IcebergWarehouse Warehouse { get; }

    public static IClickHouseGateway Gateway => HotTier.Gateway;

    /// <summary>Start of the current UTC hour: audit windows end here.</summary>
    public static DateTimeOffset CurrentHour
    {
        get
        {
            var now = DateTimeOffset.UtcNow;
            return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        }
    }

    public static async Task<HotColdPipeline> StartAsync(IcebergWarehouse? warehouse = null)
    {
        var hot = HotTier.Create();
        await hot.Schema.ApplyAsync();
        return new HotColdPipeline(hot, warehouse ?? await ColdTableFixture.WarehouseAsync());
    }

    /// <summary>Inserts <paramref name="count"/> Binance trades of <paramref name="symbol"/> spread over the hour starting at <paramref name="hour"/>.</summary>
    public Task InsertTradesAsync(string symbol, DateTimeOffset hour, int count, long firstId) => Gateway.ExecuteAsync($"""
        INSERT INTO {Hot.Table("bronze_trades_binance")} (schema_version, exchange, symbol, canonical_symbol, trade_id, price, quantity, side,
            exchange_ts_us, receive_ts_us, raw_side, is_buyer_maker, sequence_number, order_type, event_ts_us, is_snapshot,
            kafka_topic, kafka_partition, kafka_offset)
        SELECT 1, 'binance', '{symbol}', '{symbol[..3]}-USDT', toString({firstId} + number), concat(toString(60000 + number % 100), '.25'),
            concat('0.00', toString(1 + number % 9)), if(number % 2 = 0, 'BUY', 'SELL'),
            {hour.ToUnixTimeMilliseconds() * 1000} + intDiv(number * 3600000000, {count}), {hour.ToUnixTimeMilliseconds() * 1000} + intDiv(number * 3600000000, {count}) + 1000,
            NULL, NULL, NULL, NULL, NULL, false, 'k2.trades.binance', 0, {firstId} + number
        FROM numbers({count})
        """);

    /// <summary>
    /// Copies every hot row of <paramref name="table"/> into its cold table, replacing what it held, in
    /// <paramref name="commits"/> commits (each a small file) like successive 15-minute offloads.
    /// </summary>
    public async Task<IcebergTable> OffloadAsync(ColdTable table, int commits = 1)
    {
        var cold = await ColdTableFixture.CreateAsync(Warehouse, table);
        var select = string.Join(", ", table.Columns.Select(c => $"{c.HotExpression} AS {c.Name}"));
        var json = await Gateway.QueryTextAsync(
            $"SELECT {select} FROM {Hot.Table(table.HotTable)}{(table.Layer == ColdLayer.Silver ? " FINAL" : "")} SETTINGS output_format_json_quote_64bit_integers = 1, output_format_json_quote_decimals = 1",
            format: "JSONEachRow");
        var rows = json.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => Row(table, line)).ToList();
        var chunk = (rows.Count + commits - 1) / commits;
        await cold.OverwriteAsync(_ => true, await ColdTableFixture.WriteAsync(cold, rows.Take(chunk)));
        for (var c = 1; c < commits; c++) { await cold.AppendAsync(await ColdTableFixture.WriteAsync(cold, rows.Skip(c * chunk).Take(chunk))); }
        return cold;
    }

    /// <summary>Rewrites the cold table without the rows <paramref name="drop"/> selects (a lost offload, on purpose).</summary>
    public static async Task RemoveColdRowsAsync(IcebergTable cold, Func<object?[], bool> drop)
    {
        var rows = new List<object?[]>();
        foreach (var file in await cold.ListDataFilesAsync())
        {
            await foreach (var row in cold.ReadRowsAsync(file)) { if (!drop(row)) { rows.Add(row); } }
        }

        await cold.OverwriteAsync(_ => true, await ColdTableFixture.WriteAsync(cold, rows));
    }

    private static object?[] Row(ColdTable table, string line)
    {
        using var document = JsonDocument.Parse(line);
        return [.. table.Columns.Select(c => Value(c.Wire, document.RootElement.GetProperty(c.Name)))];
    }

    private static object? Value(WireKind wire, JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : wire switch
    {
        WireKind.String or WireKind.NullableString => value.GetString(),
        WireKind.Int32 => value.GetInt32(),
        WireKind.Int64 or WireKind.NullableInt64 => long.Parse(value.GetString()!, CultureInfo.InvariantCulture),
        WireKind.Bool or WireKind.NullableBool => value.GetBoolean(),
        WireKind.Decimal => IcebergDecimal.Parse(value.GetString()!),
        WireKind.Micros or WireKind.NullableMicros => DateTime.UnixEpoch.AddTicks(long.Parse(value.GetString()!, CultureInfo.InvariantCulture) * 10),
        WireKind.StringList => value.EnumerateArray().Select(e => (object?)e.GetString()).ToList(),
        _ => throw new ArgumentOutOfRangeException(nameof(wire), wire, "unknown wire kind"),
    };

    public async ValueTask DisposeAsync() => await Hot.DisposeAsync();
}
