using K2.Iceberg.Spec;
using K2.Iceberg.Tables;
using K2.Offload.Tables;
using K2.Tests.Iceberg;

namespace K2.Tests.Maintenance;

/// <summary>Cold tables built with the Iceberg library from the <see cref="ColdTables"/> definitions, on local warehouses chDB can read.</summary>
internal static class ColdTableFixture
{
    public static readonly ColdTable BinanceBronze = ColdTables.Bronze.Single(t => t.Exchange == K2.Core.Trades.Exchange.Binance);

    public static readonly ColdTable Gold1h = ColdTables.Gold.Single(t => t.Interval!.Name == "1h");

    public static readonly DateTime Hour0 = new(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc);

    /// <summary>A SQLite catalog and a warehouse under the working directory (chDB reads local files only there).</summary>
    public static async Task<IcebergWarehouse> WarehouseAsync(TimeProvider? time = null)
    {
        var root = Path.Combine(Directory.GetCurrentDirectory(), ScratchFolder, $"{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var warehouse = new IcebergWarehouse(K2.Iceberg.IcebergModule.SqliteCatalog("k2", Path.Combine(root, "catalog.db")),
            new K2.Iceberg.Storage.LocalObjectStore(Path.Combine(root, "warehouse")), TestWarehouses.SmallFiles, time ?? TimeProvider.System);
        await warehouse.StartAsync();
        return warehouse;
    }

    public const string ScratchFolder = "maintenance-scratch";

    public static Task<IcebergTable> CreateAsync(IcebergWarehouse warehouse, ColdTable cold) =>
        warehouse.CreateTableAsync(cold.Identifier, cold.Schema, cold.PartitionSpec, cold.SortOrder);

    /// <summary><paramref name="cold"/> as K2 created it while it partitioned by day: its spec with day in the month's place.</summary>
    public static Task<IcebergTable> CreateByDayAsync(IcebergWarehouse warehouse, ColdTable cold) =>
        warehouse.CreateTableAsync(cold.Identifier, cold.Schema,
            new PartitionSpec(0, [.. cold.PartitionSpec.Fields.Select(f => f.Transform == Transform.Month ? f with { Name = f.Name.Replace("_month", "_day", StringComparison.Ordinal), Transform = Transform.Day } : f)]),
            cold.SortOrder);

    /// <summary>A silver row: trade <paramref name="id"/> of <paramref name="symbol"/> on <paramref name="exchange"/> at <paramref name="at"/>.</summary>
    public static object?[] SilverRow(long id, DateTime at, string exchange = "binance", string symbol = "BTCUSDT")
    {
        var price = 60000.5m + (id % 97) * 0.01m;
        var quantity = 0.001m * (1 + (id % 13));
        return
        [
            exchange, symbol, "BTC-USDT", id.ToString(System.Globalization.CultureInfo.InvariantCulture), price, quantity, price * quantity,
            id % 2 == 0 ? "BUY" : "SELL", at, at.AddMilliseconds(5), at.AddMilliseconds(9), false,
            $"k2.trades.{exchange}", 0L, id, true, id % 11 == 0 ? new List<object?> { "late" } : new List<object?>(),
        ];
    }

    /// <summary>Rows <paramref name="from"/>.. of one (exchange, symbol), one per second from <paramref name="start"/>.</summary>
    public static IEnumerable<object?[]> SilverRows(long from, int count, DateTime start, string exchange = "binance") =>
        Enumerable.Range(0, count).Select(i => SilverRow(from + i, start.AddSeconds(from + i), exchange));

    public static async Task<IReadOnlyList<DataFile>> WriteAsync(IcebergTable table, IEnumerable<object?[]> rows)
    {
        await using var appender = table.NewAppender();
        foreach (var row in rows) { await appender.WriteAsync(row); }
        return await appender.CompleteAsync();
    }

    /// <summary>Appends <paramref name="batches"/> commits of <paramref name="rowsPerBatch"/> rows each (one small file per commit).</summary>
    public static async Task AppendBatchesAsync(IcebergTable table, int batches, int rowsPerBatch, long firstId = 0, string exchange = "binance")
    {
        for (var b = 0; b < batches; b++)
        {
            await table.AppendAsync(await WriteAsync(table, SilverRows(firstId + (b * rowsPerBatch), rowsPerBatch, Hour0, exchange)));
        }
    }

    /// <summary>Every row as chDB's Iceberg reader returns it, in a stable order.</summary>
    public static string ReadAll(IcebergTable table) =>
        TestWarehouses.Query($"SELECT * FROM {TestWarehouses.ChDbSource(table)} ORDER BY exchange, kafka_offset FORMAT TSV");

    public static long Count(IcebergTable table) =>
        long.Parse(TestWarehouses.Query($"SELECT count() FROM {TestWarehouses.ChDbSource(table)}"), System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<HashSet<string>> ListStoreAsync(IcebergWarehouse warehouse, IcebergTable table)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var file in warehouse.Store.ListAsync(table.Metadata.Location + "/", CancellationToken.None)) { result.Add(file.Uri); }
        return result;
    }
}

/// <summary>A clock the test moves (snapshot timestamps come from the warehouse's time provider).</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
