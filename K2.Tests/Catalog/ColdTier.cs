using K2.Iceberg.Tables;
using K2.Offload.Runs;
using K2.Offload.Tables;
using K2.Tests.ClickHouse;
using K2.Tests.Iceberg;
using K2.Tests.Offload;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Tests.Catalog;

/// <summary>
/// A hot tier with trades of three exchanges, offloaded once by the real offload into the ten cold tables of namespace
/// <c>cold</c>: what the catalog and the ClickHouse HTTP interface serve in the daemon.
/// </summary>
internal sealed class ColdTier : IAsyncDisposable
{
    private ColdTier(HotTier hot, IcebergWarehouse warehouse, string? bucket)
    {
        Hot = hot;
        Warehouse = warehouse;
        Bucket = bucket;
    }

    public HotTier Hot { get; }

    public IcebergWarehouse Warehouse { get; }

    /// <summary>The s3rver bucket of an S3 warehouse; null for a local one.</summary>
    public string? Bucket { get; }

    /// <param name="onS3">Warehouse in an s3rver bucket instead of a local folder (under the working directory, where chDB reads).</param>
    public static async Task<ColdTier> OffloadedAsync(bool onS3 = false)
    {
        var hot = HotTier.Create();
        await hot.Schema.ApplyAsync();
        var (warehouse, bucket) = onS3 ? await TestWarehouses.S3Async() : (await TestWarehouses.LocalAsync(), null);
        var trades = new HotTrades(hot);
        await trades.InsertAsync(120, HotTrades.Day, TimeSpan.FromSeconds(37));
        var runner = OffloadRunner.Create(HotTier.Gateway, hot.Settings.Database, TestWarehouses.Reopen(warehouse), OffloadRig.Options(), TimeProvider.System, NullLogger.Instance);
        (await runner.RunAsync()).Should().OnlyContain(r => r.Outcome == OffloadOutcome.Committed, "every cold table gets rows");
        return new ColdTier(hot, warehouse, bucket);
    }

    /// <summary>Rows of each cold table by name, from its current snapshot.</summary>
    public async Task<IReadOnlyDictionary<string, long>> RowCountsAsync()
    {
        var counts = new Dictionary<string, long>();
        foreach (var table in ColdTables.All)
        {
            counts[table.Name] = (await Warehouse.LoadTableAsync(table.Identifier)).Metadata.CurrentSnapshot!.TotalRecords;
        }

        return counts;
    }

    public async ValueTask DisposeAsync() => await Hot.DisposeAsync();
}
