using System.Diagnostics;
using K2.Iceberg.Catalog;
using K2.Iceberg.Spec;
using K2.Offload.Tables;

namespace K2.Bench;

/// <summary>
/// <c>k2 bench iceberg-write</c>: synthetic rows of the cold silver table (its real schema and partitioning, lists
/// included) written to Parquet and committed to a local warehouse with a SQLite catalog, one append per 100 000 rows.
/// </summary>
internal sealed class IcebergWriteScenario : IBenchScenario
{
    private const int RowsPerCommit = 100_000;

    private static readonly string[] Symbols = ["BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT", "ADA-USDT"];

    private static readonly string[] Exchanges = ["binance", "kraken", "coinbase"];

    public string Name => "iceberg-write";

    public string Description => "Write synthetic cold silver rows as Iceberg Parquet files and commit them (local warehouse, SQLite catalog)";

    public async Task<BenchReport> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        var (services, warehouse) = await BenchServices.StartWarehouseAsync(arguments.DataDir, "bench", cancellationToken);
        await using var owner = services;
        var silver = ColdTables.Silver;
        var table = await warehouse.CreateTableAsync(new TableIdentifier("bench", $"silver_{Guid.NewGuid():N}"), silver.Schema,
            silver.PartitionSpec, silver.SortOrder, cancellationToken: cancellationToken);

        var fields = silver.Schema.Fields;
        var day = DateTime.UtcNow.Date;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        var clock = Stopwatch.StartNew();
        var commitMs = new List<double>();
        long bytes = 0, files = 0;
        for (long written = 0; written < arguments.Records;)
        {
            var batch = (int)Math.Min(RowsPerCommit, arguments.Records - written);
            await using var appender = table.NewAppender();
            var row = new object?[fields.Count];
            for (var i = 0; i < batch; i++, written++)
            {
                for (var c = 0; c < row.Length; c++) { row[c] = Value(fields[c], written, day); }
                await appender.WriteAsync(row, cancellationToken);
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
                ["columns"] = fields.Count,
                ["bytes_per_record"] = Math.Round(bytes / (double)Math.Max(1, arguments.Records), 2),
                ["latency"] = "p50_ms/p99_ms are per commit (manifests + metadata + catalog swap)",
            },
        };
    }

    /// <summary>A plausible value of the column's type for row <paramref name="n"/>; optional columns are null now and then.</summary>
    private static object? Value(NestedField field, long n, DateTime day)
    {
        if (!field.Required && n % 11 == 0) { return null; }
        return field.Type switch
        {
            ListType => n % 3 == 0 ? new[] { "late", "backfilled" } : Array.Empty<string>(),
            PrimitiveType { Kind: PrimitiveKind.String } => field.Name switch
            {
                "exchange" => Exchanges[n % Exchanges.Length],
                "trade_id" => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
                var name when name.Contains("symbol", StringComparison.Ordinal) => Symbols[n % Symbols.Length],
                var name => $"{name}-{n % 97}",
            },
            PrimitiveType { Kind: PrimitiveKind.Long } => n,
            PrimitiveType { Kind: PrimitiveKind.Int } => (int)(n % 1000),
            PrimitiveType { Kind: PrimitiveKind.Boolean } => (n & 1) == 0,
            PrimitiveType { Kind: PrimitiveKind.Decimal } => 65000.12345678m + (n % 10_000) * 0.01m,
            PrimitiveType { Kind: PrimitiveKind.TimestampTz or PrimitiveKind.Timestamp } => day.AddTicks(n * 10_000),
            _ => throw new NotSupportedException($"no synthetic value for {field.Type}"),
        };
    }
}
