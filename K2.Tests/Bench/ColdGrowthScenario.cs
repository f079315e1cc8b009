using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using K2.ClickHouse.Gateway;
using K2.Iceberg;
using K2.Iceberg.Spec;
using K2.Iceberg.Tables;
using K2.Maintenance;
using K2.Maintenance.Cleanup;
using K2.Maintenance.Compaction;
using K2.Offload.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Bench;

/// <summary>
/// <c>k2 bench cold-growth --days D [--records N]</c>: the cold tier's age in simulated time. Each simulated day has 96
/// offload commits (one per 15 minutes) on all ten cold tables — N rows per commit on the bronze and silver tables, 60
/// on each candle table, written by ClickHouse as the offload writes them (a day's files of a table in one query, before
/// its commits, untimed) — then the daily maintenance with the production settings (<see cref="MaintenanceOptions"/>
/// defaults: compaction, which makes a day's files of a month partition one and from the 8th of a month on packs the month before, manifest rewrite, snapshot expiry with expired metadata files, orphan cleanup; the orphans found
/// are counted, and none is old enough to delete on the simulated clock). After each day it prints one JSON line: the commit time p99 of the day, chDB's
/// <c>count()</c> and a one-day range query on silver (each the median of five runs), silver's live data files, manifests per table and metadata bytes; the report ends with
/// each figure's largest ratio to day 1 from day 2 on. Given a <c>--data-dir</c> that holds an earlier run's warehouse, it
/// continues that run after the last day whose commits all tables hold (a long run can be killed before its end); a day the
/// earlier run left half committed is committed again in full, and the ratios are then left to whoever joins both outputs.
/// </summary>
internal sealed class ColdGrowthScenario : IBenchScenario
{
    private const int CommitsPerDay = 96;
    private const int CandleRowsPerCommit = 60;
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public string Name => "cold-growth";

    public string Description => "Commit time, chDB query time, manifests and metadata bytes per simulated day of 96 offloads on all ten cold tables";

    public async Task<BenchReport> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        using var engine = BenchServices.OpenEngineReadingDataDir(arguments.DataDir);
        var gateway = new EmbeddedClickHouseGateway(engine);
        var time = new SimulatedTime(Start);
        var folder = Path.Combine(arguments.DataDir, "growth");
        await using var services = BenchServices.Build(BenchServices.LocalWarehouse(folder, "k2"), (s, c) =>
        {
            s.AddIceberg(c);
            s.AddSingleton<TimeProvider>(time);
        });
        var warehouse = services.GetRequiredService<IcebergWarehouse>();
        await warehouse.StartAsync(cancellationToken);
        var tables = new List<(ColdTable Cold, IcebergTable Table)>();
        foreach (var cold in ColdTables.All)
        {
            tables.Add((cold, await warehouse.CreateTableAsync(cold.Identifier, cold.Schema, cold.PartitionSpec, cold.SortOrder, cancellationToken: cancellationToken)));
        }

        var options = new MaintenanceOptions();
        var source = new ColdSourceSql(new S3StorageOptions());
        var compactor = new TableCompactor(warehouse, gateway, source, options, time, NullLogger.Instance);
        var cleanup = new TableCleanup(warehouse, time);
        var silver = tables.Single(t => t.Cold == ColdTables.Silver).Table;
        var days = new List<Dictionary<string, double>>();
        var firstDay = CompletedDays(tables.Select(t => t.Table));
        if (firstDay > 0) { await Console.Error.WriteLineAsync($"cold-growth: continuing the run in {folder} at day {firstDay + 1}"); }
        var rowsPerDay = tables.Sum(t => RowsPerCommit(t.Cold, arguments)) * CommitsPerDay;
        var rows = firstDay * rowsPerDay;
        var clock = Stopwatch.StartNew();
        var slot = TimeSpan.FromDays(1) / CommitsPerDay;
        for (var day = firstDay; day < arguments.Days; day++)
        {
            var commitMs = new List<double>();
            var dayStart = Start.AddDays(day);
            var prepare = Stopwatch.StartNew();
            var dayFiles = new List<IReadOnlyList<IReadOnlyList<DataFile>>>();
            foreach (var (cold, table) in tables)
            {
                var count = RowsPerCommit(cold, arguments);
                dayFiles.Add(await SyntheticColdFiles.WriteCommitsAsync(gateway, cold, table, rows, count, CommitsPerDay, dayStart.UtcDateTime, slot, arguments.DataDir, cancellationToken));
                rows += count * CommitsPerDay;
            }

            prepare.Stop();
            for (var c = 0; c < CommitsPerDay; c++)
            {
                time.Now = dayStart + (slot * (c + 1));
                for (var t = 0; t < tables.Count; t++)
                {
                    var commit = Stopwatch.StartNew();
                    await tables[t].Table.AppendAsync(dayFiles[t][c], cancellationToken: cancellationToken);
                    commitMs.Add(commit.Elapsed.TotalMilliseconds);
                }
            }

            time.Now = dayStart.AddDays(1).AddHours(2);
            var maintenance = Stopwatch.StartNew();
            var orphans = 0;
            foreach (var (_, table) in tables)
            {
                await compactor.CompactAsync(table, cancellationToken);
                await table.RewriteManifestsAsync(cancellationToken: cancellationToken);
                await cleanup.ExpireAsync(table, TimeSpan.FromHours(options.SnapshotMaxAgeHours), options.RetainSnapshots, cancellationToken);
                orphans += (await cleanup.RemoveOrphansAsync(table, TimeSpan.FromHours(options.OrphanMinAgeHours), cancellationToken)).OrphansFound;
            }

            maintenance.Stop();
            var figures = new Dictionary<string, double>
            {
                ["day"] = day + 1,
                ["commit_p99_ms"] = BenchReport.Percentile(commitMs, 99),
                ["commit_p50_ms"] = BenchReport.Percentile(commitMs, 50),
                ["prepare_seconds"] = Math.Round(prepare.Elapsed.TotalSeconds, 2),
                ["maintenance_seconds"] = Math.Round(maintenance.Elapsed.TotalSeconds, 2),
                ["orphans_found"] = orphans,
            };
            var sourceSql = source.For(silver.Metadata.Location);
            figures["chdb_count_ms"] = await TimedMsAsync(gateway, $"SELECT count() FROM {sourceSql}", cancellationToken);
            figures["chdb_one_day_ms"] = await TimedMsAsync(gateway, string.Create(CultureInfo.InvariantCulture,
                $"SELECT count(), sum(quantity) FROM {sourceSql} WHERE exchange_ts >= '{dayStart:yyyy-MM-dd HH:mm:ss}' AND exchange_ts < '{dayStart.AddDays(1):yyyy-MM-dd HH:mm:ss}'"), cancellationToken);
            var manifests = new List<int>();
            foreach (var (_, table) in tables) { manifests.Add((await table.ReadManifestListAsync(cancellationToken)).Count); }
            figures["silver_data_files"] = (await silver.ListDataFilesAsync(cancellationToken)).Count;
            figures["manifests_per_table_max"] = manifests.Max();
            figures["manifests_per_table_avg"] = Math.Round(manifests.Average(), 1);
            figures["metadata_bytes"] = await MetadataBytesAsync(warehouse, tables.Select(t => t.Table), cancellationToken);
            figures["metadata_json_bytes_max"] = tables.Max(t => new FileInfo(new Uri(t.Table.MetadataLocation).LocalPath).Length);
            days.Add(figures);
            Console.WriteLine(JsonSerializer.Serialize(figures));
        }

        var growth = new Dictionary<string, object> { ["first_day"] = firstDay + 1 };
        var ratioKeys = firstDay == 0 ? ["commit_p99_ms", "chdb_count_ms", "chdb_one_day_ms", "manifests_per_table_max", "metadata_bytes"] : Array.Empty<string>();
        foreach (var key in ratioKeys)
        {
            growth[$"{key}_max_ratio_to_day1"] = days.Count < 2 ? 1 : Math.Round(days.Skip(1).Max(d => d[key]) / Math.Max(days[0][key], 1e-9), 2);
        }

        growth["days"] = days;
        return new BenchReport { Scenario = Name, Records = rows - (firstDay * rowsPerDay), Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3), Details = growth };
    }

    /// <summary>
    /// The median of <see cref="QueryRuns"/> runs: one run of a 30–40 ms query jumped to twice that on quiet days now and then
    /// (a collection, the page cache), which a single sample reported as growth.
    /// </summary>
    private static async Task<double> TimedMsAsync(IClickHouseGateway gateway, string sql, CancellationToken cancellationToken)
    {
        var runs = new List<double>();
        for (var i = 0; i < QueryRuns; i++)
        {
            var clock = Stopwatch.StartNew();
            await gateway.QueryRowsAsync(sql, cancellationToken: cancellationToken);
            runs.Add(clock.Elapsed.TotalMilliseconds);
        }

        return Math.Round(BenchReport.Percentile(runs, 50), 1);
    }

    private const int QueryRuns = 5;

    private static long RowsPerCommit(ColdTable cold, BenchArguments arguments) => cold.Layer == ColdLayer.Gold ? CandleRowsPerCommit : arguments.Records;

    /// <summary>
    /// Days whose 96 commits every table holds: the last commit of day d is stamped at the end of the day, maintenance two
    /// hours later, so the oldest table's newest snapshot tells how far the run got.
    /// </summary>
    private static long CompletedDays(IEnumerable<IcebergTable> tables) =>
        tables.Min(t => t.Metadata.CurrentSnapshot is { } snapshot
            ? (long)Math.Floor((DateTimeOffset.FromUnixTimeMilliseconds(snapshot.TimestampMs) - Start).TotalDays)
            : 0);

    private static async Task<double> MetadataBytesAsync(IcebergWarehouse warehouse, IEnumerable<IcebergTable> tables, CancellationToken cancellationToken)
    {
        long bytes = 0;
        foreach (var table in tables)
        {
            await foreach (var file in warehouse.Store.ListAsync(table.Metadata.Location + "/metadata/", cancellationToken)) { bytes += file.Size; }
        }

        return bytes;
    }
}
