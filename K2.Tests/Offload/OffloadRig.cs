using System.Globalization;
using K2.ClickHouse.Operations;
using K2.Iceberg.Tables;
using K2.Offload;
using K2.Offload.Hot;
using K2.Offload.Runs;
using K2.Offload.Tables;
using K2.Tests.ClickHouse;
using K2.Tests.Iceberg;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Tests.Offload;

/// <summary>A hot tier, a cold warehouse and offload runners over them; compares each cold table with its hot source.</summary>
internal sealed class OffloadRig : IAsyncDisposable
{
    private OffloadRig(HotTier hot, IcebergWarehouse warehouse)
    {
        Hot = hot;
        Warehouse = warehouse;
        Trades = new HotTrades(hot);
    }

    public HotTier Hot { get; }

    public IcebergWarehouse Warehouse { get; }

    public HotTrades Trades { get; }

    /// <param name="beforeSchema">Runs before the hot schema is applied, e.g. to create the topics its Kafka consumers read.</param>
    /// <param name="hot">The hot tier to offload; a new one on the shared mock cluster when null.</param>
    public static async Task<OffloadRig> StartAsync(K2.Iceberg.Catalog.SqlCatalog? catalog = null, Action<HotTier>? beforeSchema = null, HotTier? hot = null)
    {
        hot ??= HotTier.Create();
        beforeSchema?.Invoke(hot);
        await hot.Schema.ApplyAsync();
        return new OffloadRig(hot, await TestWarehouses.LocalAsync(catalog));
    }

    public static OffloadOptions Options() => new() { Enabled = true, IngestionMarginSeconds = 0, CandleLatenessSeconds = 60 };

    /// <summary>A runner of its own (own warehouse handle, as a second daemon would have) on the same catalog and store.</summary>
    /// <param name="repairCandles">Whether the runner rebuilds candles a redelivered block inflated, as the daemon's does.</param>
    public OffloadRunner NewRunner(OffloadFaults? faults = null, OffloadOptions? options = null, TimeProvider? time = null, bool repairCandles = false)
    {
        var warehouse = TestWarehouses.Reopen(Warehouse);
        return OffloadRunner.Create(HotTier.Gateway, Hot.Settings.Database, warehouse, options ?? Options(), time ?? TimeProvider.System, NullLogger.Instance, faults,
            candles: repairCandles ? new CandleRepair(HotTier.Gateway, Hot.Settings, NullLogger<CandleRepair>.Instance) : null);
    }

    public async Task<IcebergTable> ColdAsync(ColdTable table) => await Warehouse.LoadTableAsync(table.Identifier);

    /// <summary>Count and checksum over every column of the cold table, read by chDB's Iceberg reader.</summary>
    public async Task<string> ColdFingerprintAsync(ColdTable table, IReadOnlyList<ColdColumn>? only = null)
    {
        var cold = await ColdAsync(table);
        var columns = string.Join(", ", (only ?? table.Columns).Select(Normalized));
        return TestWarehouses.Query($"SELECT count(), sum(cityHash64(toString(tuple({columns})))) FROM {TestWarehouses.ChDbSource(cold)}");
    }

    /// <summary>
    /// The same over the hot source: one row per audit key, the first ingested (what offload keeps), in the cold
    /// column forms.
    /// </summary>
    public string HotFingerprint(ColdTable table, IReadOnlyList<ColdColumn>? only = null)
    {
        var source = table.Layer == ColdLayer.Gold
            ? $"SELECT * FROM {Hot.Table(table.HotTable)}"
            : $"SELECT * FROM {Hot.Table(table.HotTable)} ORDER BY ingested_at LIMIT 1 BY {string.Join(", ", table.AuditKey)}";
        var columns = string.Join(", ", (only ?? table.Columns).Select(c => string.Create(CultureInfo.InvariantCulture, $"c{table.ColumnNames.ToList().IndexOf(c.Name)}")));
        return TestWarehouses.Query($"SELECT count(), sum(cityHash64(toString(tuple({columns})))) FROM ({HotRows.Select(table, source)})");
    }

    public async Task<long> DuplicateKeysAsync(ColdTable table)
    {
        var cold = await ColdAsync(table);
        return long.Parse(TestWarehouses.Query($"SELECT count() - uniqExact({string.Join(", ", table.AuditKey)}) FROM {TestWarehouses.ChDbSource(cold)}"), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Count and checksum of every column equal, and no duplicate key. Silver's <c>ingested_at</c> is left out: for a
    /// redelivered trade the hot ReplacingMergeTree keeps the last delivery's time, the cold table the first.
    /// </summary>
    public async Task AssertColdEqualsHotAsync(IEnumerable<ColdTable>? tables = null)
    {
        foreach (var table in tables ?? ColdTables.All)
        {
            IReadOnlyList<ColdColumn> compared = table.Layer == ColdLayer.Silver ? [.. table.Columns.Where(c => c.Name != "ingested_at")] : table.Columns;
            var hot = HotFingerprint(table, compared);
            hot.Should().NotStartWith("0\t", $"{table.HotTable} has rows to compare");
            var differing = new List<string>();
            foreach (var column in compared)
            {
                if (await ColdFingerprintAsync(table, [column]) != HotFingerprint(table, [column])) { differing.Add(column.Name); }
            }

            (await ColdFingerprintAsync(table, compared)).Should().Be(hot, $"{table.Identifier} holds exactly the rows of {table.HotTable} (columns differing: {string.Join(", ", differing)})");
            (await DuplicateKeysAsync(table)).Should().Be(0, $"{table.Identifier} has no duplicate {string.Join(", ", table.AuditKey)}");
        }
    }

    private static string Normalized(ColdColumn column) => column.Wire switch
    {
        WireKind.Micros or WireKind.NullableMicros => $"toUnixTimestamp64Micro({column.Name})",
        WireKind.Decimal => $"toDecimal128({column.Name}, 18)",
        _ => column.Name,
    };

    public async ValueTask DisposeAsync() => await Hot.DisposeAsync();
}
