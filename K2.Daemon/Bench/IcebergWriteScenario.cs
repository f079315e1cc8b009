using System.Diagnostics;
using K2.Iceberg;
using K2.Iceberg.Catalog;
using K2.Iceberg.Parquet;
using K2.Iceberg.Spec;
using K2.Iceberg.Storage;
using K2.Iceberg.Tables;

namespace K2.Daemon.Bench;

/// <summary>
/// <c>k2 bench iceberg-write</c>: synthetic silver-shaped trades written to Parquet (zstd, field ids, lists and a map)
/// and committed to a local warehouse with a SQLite catalog, one append per 100 000 rows.
/// </summary>
internal sealed class IcebergWriteScenario : IBenchScenario
{
    private const int RowsPerCommit = 100_000;

    private static readonly Schema Trades = new(0,
    [
        NestedField.Require(1, "trade_id", PrimitiveType.Long),
        NestedField.Require(2, "symbol", PrimitiveType.String),
        NestedField.Require(3, "price", PrimitiveType.Decimal(18, 8)),
        NestedField.Require(4, "quantity", PrimitiveType.Decimal(28, 12)),
        NestedField.Require(5, "exchange_ts", PrimitiveType.TimestampTz),
        NestedField.Optional(6, "side", PrimitiveType.String),
        NestedField.Optional(7, "trade_conditions", new ListType(9, false, PrimitiveType.String)),
        NestedField.Optional(8, "vendor_data", new MapType(10, PrimitiveType.String, 11, false, PrimitiveType.String)),
    ]);

    public string Name => "iceberg-write";

    public string Description => "Write synthetic trades as Iceberg Parquet files and commit them (local warehouse, SQLite catalog)";

    public async Task<BenchReport> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        var warehouse = new IcebergWarehouse(IcebergModule.SqliteCatalog("bench", Path.Combine(arguments.DataDir, "catalog.db")),
            new LocalObjectStore(Path.Combine(arguments.DataDir, "warehouse")), new WriterSettings(128L << 20, 250_000), TimeProvider.System);
        await warehouse.StartAsync(cancellationToken);
        var table = await warehouse.CreateTableAsync(new TableIdentifier("bench", $"trades_{Guid.NewGuid():N}"), Trades,
            new PartitionSpec(0, [new PartitionField(5, 1000, "exchange_ts_day", Transform.Day)]), cancellationToken: cancellationToken);

        var start = DateTime.UtcNow.Date;
        var conditions = new[] { "regular" };
        var vendor = new Dictionary<string, string?> { ["venue"] = "spot" };
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        var clock = Stopwatch.StartNew();
        var commitMs = new List<double>();
        long bytes = 0, files = 0;
        for (long written = 0; written < arguments.Records;)
        {
            var batch = (int)Math.Min(RowsPerCommit, arguments.Records - written);
            await using var appender = table.NewAppender();
            for (var i = 0; i < batch; i++, written++)
            {
                await appender.WriteAsync(
                [
                    written, (written & 1) == 0 ? "BTC-USDT" : "ETH-USDT", 65000.12345678m + (written % 1000), 0.00012345m * (1 + (written % 7)),
                    start.AddTicks(written * 10_000), (written & 1) == 0 ? "buy" : "sell", conditions, vendor,
                ], cancellationToken);
            }

            var dataFiles = await appender.CompleteAsync(cancellationToken);
            var commit = Stopwatch.StartNew();
            await table.AppendAsync(dataFiles, cancellationToken: cancellationToken);
            commitMs.Add(commit.Elapsed.TotalMilliseconds);
            bytes += dataFiles.Sum(f => f.FileSizeInBytes);
            files += dataFiles.Count;
        }

        clock.Stop();
        return new BenchReport
        {
            Scenario = Name,
            Records = arguments.Records,
            Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
            Bytes = bytes,
            P50Milliseconds = BenchReport.Percentile(commitMs, 50),
            P99Milliseconds = BenchReport.Percentile(commitMs, 99),
            AllocatedBytesPerRecord = Math.Round((GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore) / (double)Math.Max(1, arguments.Records), 1),
            Details = new Dictionary<string, object>
            {
                ["commits"] = commitMs.Count,
                ["data_files"] = files,
                ["bytes_per_record"] = Math.Round(bytes / (double)Math.Max(1, arguments.Records), 2),
                ["latency"] = "p50_ms/p99_ms are per commit (manifests + metadata + catalog swap)",
            },
        };
    }
}
