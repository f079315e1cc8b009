using System.Diagnostics;
using K2.ClickHouse.Gateway;
using K2.Iceberg;
using K2.Iceberg.Tables;
using K2.Maintenance;
using K2.Maintenance.Compaction;
using K2.Offload.Tables;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Bench;

/// <summary>
/// <c>k2 bench compaction</c>: a day of 15-minute offloads (96 small files per partition) of silver trades in a local
/// warehouse, then one compaction to 128 MiB files (ClickHouse reads, sorts and writes the rows); rows rewritten per
/// second and peak RSS of that phase, next to ClickHouse's native Parquet rate for the same rows measured in the same
/// run (the same files read and written as one Parquet file, unsorted, nothing else).
/// </summary>
internal sealed class CompactionScenario : IBenchScenario
{
    private const int Commits = 96;
    private static readonly DateTime Day = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    public string Name => "compaction";

    public string Description => "Silver rows/s rewritten by bin-pack compaction of 96 small files per partition, with ClickHouse's Parquet rate beside it";

    public async Task<BenchReport> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        using var engine = BenchServices.OpenEngineReadingDataDir(arguments.DataDir);
        var gateway = new EmbeddedClickHouseGateway(engine);
        var (services, warehouse) = await BenchServices.StartWarehouseAsync(Path.Combine(arguments.DataDir, "compaction"), "k2", cancellationToken);
        await using var owner = services;
        var cold = ColdTables.Silver;
        var table = await warehouse.CreateTableAsync(cold.Identifier, cold.Schema, cold.PartitionSpec, cold.SortOrder, cancellationToken: cancellationToken);
        var perCommit = Math.Max(arguments.Records / Commits, 1);
        var span = TimeSpan.FromDays(1) / Commits;
        foreach (var files in await SyntheticColdFiles.WriteCommitsAsync(gateway, cold, table, 0, perCommit, Commits, Day, span, arguments.DataDir, cancellationToken))
        {
            await table.AppendAsync(files, cancellationToken: cancellationToken);
        }

        var small = await table.ListDataFilesAsync(cancellationToken);
        await gateway.ReleaseFreedMemoryAsync(cancellationToken);
        GC.Collect();
        // The day's files were just written: their write-back must not land in the measured phase (at 02:00 it is long done).
        PendingWrites.Flush();
        var peakReset = ProcessFigures.ResetPeakRss();
        var source = new ColdSourceSql(new S3StorageOptions());
        // The day's compaction at 02:00 after it, with the daemon's options: its month is recent (packing months is measured by cold-growth).
        var compactor = new TableCompactor(warehouse, gateway, source, new MaintenanceOptions(), new SimulatedTime(Day.AddDays(1).AddHours(2)), NullLogger.Instance);
        var clock = Stopwatch.StartNew();
        var result = await compactor.CompactAsync(table, cancellationToken);
        clock.Stop();
        var compactionPeak = ProcessFigures.PeakRssMegabytes();

        var native = Stopwatch.StartNew();
        var folder = Directory.CreateDirectory(Path.Combine(arguments.DataDir, "native")).FullName;
        await gateway.ExportParquetAsync($"SELECT * FROM {source.ForDataFiles([.. small.Select(f => f.Path)], ClickHouseColumnTypes.Structure(table.Metadata.CurrentSchema))}",
            "'all'", ["all"], [], folder, DataFileParquet.Settings, cancellationToken);
        native.Stop();
        var records = small.Sum(f => f.RecordCount);
        return new BenchReport
        {
            Scenario = Name,
            Records = records,
            Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
            Bytes = result.BytesBefore,
            PeakRssMegabytes = compactionPeak,
            Details = new Dictionary<string, object>
            {
                ["files_before"] = result.FilesBefore,
                ["files_after"] = result.FilesAfter,
                ["bytes_after"] = result.BytesAfter,
                ["groups"] = result.Groups,
                ["snapshot_operation"] = table.Metadata.CurrentSnapshot!.Operation,
                ["total_records_after"] = table.Metadata.CurrentSnapshot.TotalRecords,
                ["peak_rss_reset"] = peakReset,
                ["clickhouse_native_parquet_seconds"] = Math.Round(native.Elapsed.TotalSeconds, 3),
                ["clickhouse_native_parquet_records_per_second"] = Math.Round(records / native.Elapsed.TotalSeconds, 1),
                ["load_average"] = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "",
            },
        };
    }
}
