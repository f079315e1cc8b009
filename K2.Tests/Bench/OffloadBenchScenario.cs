using System.Diagnostics;
using System.Globalization;
using K2.ClickHouse;
using K2.ClickHouse.Embedded;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Hosting;
using K2.Core.Trades;
using K2.Offload;
using K2.Offload.Runs;
using K2.Offload.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Bench;

/// <summary>
/// <c>k2 bench offload --records N</c>: N synthetic trades written to bronze (the hot views fill silver) in embedded ClickHouse, silver offloaded to a local warehouse
/// with a SQLite catalog, timed from the first hot query to the committed snapshot, after an untimed warm-up offload.
/// </summary>
internal sealed class OffloadBenchScenario : IBenchScenario
{
    public string Name => "offload";

    public string Description => "Offload N synthetic silver trades from embedded ClickHouse to a local Iceberg warehouse";

    public async Task<BenchReport> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        using var engine = ChDbEngine.Open(Path.Combine(arguments.DataDir, "chdb"), serverSettings: new EmbeddedClickHouseOptions().ServerSettings());
        var gateway = new EmbeddedClickHouseGateway(engine);

        // A long-running daemon offloads with compiled code: an untimed offload of a small table in its own database and
        // warehouse runs every code path once first.
        var warmUp = new HotTierSettings(new ClickHouseOptions { Database = "bench_warm_up" }, "localhost:9092");
        await LoadAsync(gateway, warmUp, WarmUpRecords, cancellationToken);
        await OffloadAsync(gateway, warmUp, Path.Combine(arguments.DataDir, "warm-up"), cancellationToken);

        var settings = new HotTierSettings(new ClickHouseOptions { Database = "bench" }, "localhost:9092");
        var loading = Stopwatch.StartNew();
        await LoadAsync(gateway, settings, arguments.Records, cancellationToken);
        var loadSeconds = loading.Elapsed.TotalSeconds;
        var loadPeak = ProcessFigures.PeakRssMegabytes();

        // The engine keeps freed memory cached; returning it first makes the peak below the offload's own.
        await gateway.ExecuteAsync("SYSTEM JEMALLOC PURGE", cancellationToken: cancellationToken);
        GC.Collect();
        var rssBefore = ProcessFigures.RssMegabytes();
        var peakReset = ProcessFigures.ResetPeakRss();

        var clock = Stopwatch.StartNew();
        var result = await OffloadAsync(gateway, settings, arguments.DataDir, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;

        return new BenchReport
        {
            Scenario = Name,
            Records = result.Rows,
            Seconds = Math.Round(seconds, 3),
            Bytes = result.Bytes,
            Details = new Dictionary<string, object>
            {
                ["files"] = result.Files,
                ["hot_load_seconds"] = Math.Round(loadSeconds, 3),
                ["hot_load_peak_rss_mb"] = loadPeak,
                ["rss_before_offload_mb"] = rssBefore,
                ["peak_rss_covers"] = peakReset ? "offload" : "whole process",
                ["batch_rows"] = new OffloadOptions().BatchRows,
                ["warm_up_records"] = WarmUpRecords,
            },
        };
    }

    private const long WarmUpRecords = 30_000;

    /// <summary>Creates the bronze and silver tables in the settings' database and writes <paramref name="records"/> trades through bronze.</summary>
    private static async Task LoadAsync(EmbeddedClickHouseGateway gateway, HotTierSettings settings, long records, CancellationToken cancellationToken)
    {
        await gateway.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {settings.Database}", cancellationToken: cancellationToken);
        foreach (var statement in HotTierMigrations.All(settings).Where(m => m.Name is HotTierMigrations.SilverTable or "bronze_trades").SelectMany(m => m.Statements))
        {
            await gateway.ExecuteAsync(statement, cancellationToken: cancellationToken);
        }

        for (long first = 0; first < records; first += LoadBatch)
        {
            foreach (var exchange in ExchangeNames.All)
            {
                await gateway.ExecuteAsync(InsertSql(settings, exchange, first, Math.Min(LoadBatch, records - first)), cancellationToken: cancellationToken);
            }
        }

        // Merged up front so that background merges of the freshly loaded parts do not run during the timed offload.
        foreach (var table in ExchangeNames.All.Select(HotTierMigrations.BronzeTable).Append(HotTierMigrations.SilverTable))
        {
            await gateway.ExecuteAsync($"OPTIMIZE TABLE {settings.Table(table)} FINAL", cancellationToken: cancellationToken);
        }
    }

    /// <summary>
    /// Offloads silver from the database of <paramref name="hot"/> to a local warehouse with a SQLite catalog in
    /// <paramref name="folder"/>, through the offload module as <c>k2 offload --once</c> composes it.
    /// </summary>
    private static async Task<OffloadResult> OffloadAsync(EmbeddedClickHouseGateway gateway, HotTierSettings hot, string folder, CancellationToken cancellationToken)
    {
        var settings = BenchServices.LocalWarehouse(folder, "k2");
        settings["Modules:Offload:IngestionMarginSeconds"] = "0";
        await using var services = BenchServices.Build(settings, (s, configuration) => s
            .AddSingleton<IClickHouseGateway>(gateway)
            .AddSingleton(hot)
            .AddOffload(configuration, JobHosting.OnDemand));
        var result = (await services.GetRequiredService<IOffloadOnDemand>().RunAsync([ColdTables.Silver], cancellationToken)).Single();
        return result.Outcome == OffloadOutcome.Committed
            ? result
            : throw new InvalidOperationException($"offload of {hot.Database} did not commit: {result.Outcome} {result.Error}");
    }

    private const long LoadBatch = 1_000_000;

    // Trades go into bronze as the Kafka engine writes them (the hot views fill silver): three exchanges, four symbols,
    // two partitions per topic, offsets unique per (topic, partition), one trade every 10 ms.
    private static string InsertSql(HotTierSettings settings, Exchange exchange, long first, long records) => string.Create(CultureInfo.InvariantCulture, $"""
        INSERT INTO {settings.Table(HotTierMigrations.BronzeTable(exchange))} (schema_version, exchange, symbol, canonical_symbol, trade_id, price, quantity, side,
            exchange_ts_us, receive_ts_us, is_snapshot, kafka_topic, kafka_partition, kafka_offset, ingested_at)
        SELECT
            1,
            '{exchange.ToWire()}',
            ['BTC-USDT', 'ETH-USDT', 'SOL-USDT', 'XRP-USDT'][intDiv(number, 3) % 4 + 1] AS sym,
            replaceOne(sym, '-', '/'),
            toString(number),
            concat(toString(60000 + number % 1000), '.', toString(number % 100)),
            concat('0.', leftPad(toString(number % 977 + 1), 4, '0')),
            if(number % 2 = 0, 'BUY', 'SELL'),
            toUnixTimestamp64Micro(toDateTime64('2026-03-01 00:00:00', 6, 'UTC')) + number * 10000 AS ts,
            ts + 3000,
            false,
            '{settings.Topic(exchange)}',
            intDiv(number, 3) % 2,
            intDiv(number, 6),
            now64(6, 'UTC') - toIntervalSecond(60)
        FROM numbers({first}, {records})
        WHERE number % 3 = {(int)exchange}
        """);
}
