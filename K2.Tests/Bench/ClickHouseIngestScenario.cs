using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using K2.ClickHouse;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Time;
using K2.Core.Trades;

namespace K2.Bench;

/// <summary>
/// <c>k2 bench clickhouse-ingest</c>: the same synthetic normalized trades through the hot tier twice in one run — K2's
/// path (published to the embedded Kafka cluster, read by the Kafka-engine consumers) and the ceiling (a direct
/// <c>INSERT … FORMAT JSONEachRow</c> of the same messages into bronze, with the same views) — with their ratio, and
/// for each a check that every trade is in bronze and silver exactly once and that the six candle tables equal the
/// candles computed here from the trades. With <c>--rate R</c> it publishes at R trades/s for <c>--minutes</c> instead and
/// reports the latency from publishing a trade to its row in silver.
/// The hot tier's settings are the daemon's, overridable by the same environment variables
/// (<c>K2__Modules__ClickHouse__Kafka__FlushIntervalMilliseconds</c> …), so a setting can be measured before it is changed.
/// </summary>
internal sealed class ClickHouseIngestScenario : IBenchScenario
{
    public string Name => "clickhouse-ingest";

    public string Description =>
        "Rows/s through Kafka → bronze → silver → six candle tables (embedded chDB, embedded Kafka) against a direct INSERT of the same messages, with exactly-once and candle checks; --rate R: publish → silver latency at R trades/s for --minutes";

    public async Task<BenchReport> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        using var rig = IngestRig.Start(arguments.DataDir);
        return arguments.RateGiven
            ? await AtRateAsync(rig, arguments, cancellationToken).ConfigureAwait(false)
            : await ThroughputAsync(rig, arguments.Records, cancellationToken).ConfigureAwait(false);
    }

    private async Task<BenchReport> ThroughputAsync(IngestRig rig, long records, CancellationToken cancellationToken)
    {
        var kafka = await rig.CreateHotTierAsync("bench_ingest_kafka", withConsumers: true, cancellationToken).ConfigureAwait(false);
        ProcessFigures.ResetPeakRss();
        var cpu = CpuClock.Start();
        var events = await EngineEvents.StartAsync(rig.Gateway, cancellationToken).ConfigureAwait(false);
        var viaKafka = await KafkaPathAsync(rig, kafka, records, cancellationToken).ConfigureAwait(false);
        var kafkaCpuSeconds = cpu.Seconds;
        var kafkaEvents = await events.SinceAsync(cancellationToken).ConfigureAwait(false);
        var kafkaPeakRss = ProcessFigures.PeakRssMegabytes();
        var expected = ExpectedCandles.From(SyntheticTrades.Generate(records));
        var kafkaCheck = await IngestCheck.RunAsync(rig.Gateway, kafka, records, expected, cancellationToken).ConfigureAwait(false);
        await rig.DropAsync(kafka, cancellationToken).ConfigureAwait(false);

        var direct = await rig.CreateHotTierAsync("bench_ingest_direct", withConsumers: false, cancellationToken).ConfigureAwait(false);
        events = await EngineEvents.StartAsync(rig.Gateway, cancellationToken).ConfigureAwait(false);
        var (directSeconds, directCpuSeconds) = await DirectInsertAsync(rig.Gateway, direct, records, cancellationToken).ConfigureAwait(false);
        var directEvents = await events.SinceAsync(cancellationToken).ConfigureAwait(false);
        var directCheck = await IngestCheck.RunAsync(rig.Gateway, direct, records, expected, cancellationToken).ConfigureAwait(false);
        await rig.DropAsync(direct, cancellationToken).ConfigureAwait(false);

        var directRate = records / directSeconds;
        var kafkaRowsPerCpuSecond = viaKafka.Consumed / kafkaCpuSeconds;
        var directRowsPerCpuSecond = records / directCpuSeconds;
        return new BenchReport
        {
            Scenario = Name,
            Records = viaKafka.Consumed,
            Seconds = Math.Round(viaKafka.Seconds, 3),
            Bytes = viaKafka.Bytes,
            PeakRssMegabytes = kafkaPeakRss,
            Details = new Dictionary<string, object>
            {
                ["chdb_version"] = rig.ChDbVersion,
                ["settings"] = rig.Describe(kafka),
                ["kafka_path"] = new Dictionary<string, object>
                {
                    ["rows_per_second"] = Math.Round(viaKafka.Consumed / viaKafka.Seconds, 1),
                    ["seconds"] = Math.Round(viaKafka.Seconds, 3),
                    ["published"] = records,
                    ["not_consumed_after_idle"] = records - viaKafka.Consumed,
                    ["publisher_holds"] = viaKafka.Holds,
                    ["cpu_seconds"] = Math.Round(kafkaCpuSeconds, 3),
                    ["rows_per_cpu_second"] = Math.Round(kafkaRowsPerCpuSecond, 1),
                    ["engine_events"] = kafkaEvents,
                    ["check"] = kafkaCheck.ToReport(),
                },
                ["direct_insert"] = new Dictionary<string, object>
                {
                    ["rows_per_second"] = Math.Round(directRate, 1),
                    ["seconds"] = Math.Round(directSeconds, 3),
                    ["rows_per_insert"] = DirectInsertRows,
                    ["cpu_seconds"] = Math.Round(directCpuSeconds, 3),
                    ["rows_per_cpu_second"] = Math.Round(directRowsPerCpuSecond, 1),
                    ["engine_events"] = directEvents,
                    ["check"] = directCheck.ToReport(),
                },
                ["kafka_to_direct_ratio"] = Math.Round(viaKafka.Consumed / viaKafka.Seconds / directRate, 3),
                ["kafka_to_direct_ratio_per_cpu_second"] = Math.Round(kafkaRowsPerCpuSecond / directRowsPerCpuSecond, 3),
                ["all_checks_passed"] = kafkaCheck.Passed && directCheck.Passed,
            },
        };
    }

    private sealed record KafkaRun(long Consumed, double Seconds, long Bytes, long Holds);

    /// <summary>
    /// Publishes every trade as the daemon's producer does (lz4, 5 ms linger) and clocks from the first message until all
    /// are in silver and counted in the candles, or silver has not grown for 10 s (the rest is reported as not consumed).
    /// The publisher holds while a partition's unconsumed messages would pass the embedded Kafka module's lag limit
    /// (<see cref="IngestRig.MaxLagPerPartition"/>): the mock cluster keeps about 5 MB per partition and deletes the rest.
    /// </summary>
    private static async Task<KafkaRun> KafkaPathAsync(IngestRig rig, HotTierSettings settings, long records, CancellationToken cancellationToken)
    {
        using var producer = rig.NewProducer();
        var counts = new TableCounts(rig.Gateway, settings);
        var window = IngestRig.MaxLagPerPartition * SyntheticTrades.InstrumentCount;
        var clock = Stopwatch.StartNew();
        long published = 0, bytes = 0, holds = 0;
        foreach (var chunk in SyntheticTrades.Generate(records).Chunk(5_000))
        {
            if (published + chunk.Length - await counts.SilverAsync(cancellationToken).ConfigureAwait(false) > window)
            {
                holds++;
                await counts.WaitForSilverAsync(published + chunk.Length - window, cancellationToken).ConfigureAwait(false);
            }

            bytes += rig.Publish(producer, settings, chunk);
            published += chunk.Length;
        }

        producer.Flush(TimeSpan.FromMinutes(1));
        var (consumed, stillFor) = await counts.SettledSilverAsync(records, cancellationToken).ConfigureAwait(false);
        await counts.WaitForEveryTableAsync(consumed, cancellationToken).ConfigureAwait(false);
        return new KafkaRun(consumed, clock.Elapsed.TotalSeconds - stillFor.TotalSeconds, bytes, holds);
    }

    /// <summary>Rows per direct INSERT: the Kafka engine's block size, so both paths write blocks of the same size.</summary>
    private const int DirectInsertRows = 65_536;

    /// <summary>
    /// The ceiling: the same messages, in the same order, inserted straight into each exchange's bronze table in
    /// JSONEachRow (the format the Kafka engine parses), blocks of <see cref="DirectInsertRows"/>; bronze's view writes
    /// silver and silver's views the candles, as on the Kafka path. Encoding the messages is timed on both paths.
    /// </summary>
    private static async Task<(double Seconds, double CpuSeconds)> DirectInsertAsync(IClickHouseGateway gateway, HotTierSettings settings, long records, CancellationToken cancellationToken)
    {
        var pending = ExchangeNames.All.ToDictionary(e => e, _ => new List<byte>(DirectInsertRows * 400));
        var rows = ExchangeNames.All.ToDictionary(e => e, _ => 0);
        async Task FlushAsync(Exchange exchange)
        {
            await gateway.InsertAsync(settings.Table(HotTierMigrations.BronzeTable(exchange)), "JSONEachRow", pending[exchange].ToArray(), cancellationToken).ConfigureAwait(false);
            pending[exchange].Clear();
            rows[exchange] = 0;
        }

        var clock = Stopwatch.StartNew();
        var cpu = CpuClock.Start();
        foreach (var trade in SyntheticTrades.Generate(records))
        {
            pending[trade.Exchange].AddRange(NormalizedTradeJson.Encode(trade));
            pending[trade.Exchange].Add((byte)'\n');
            if (++rows[trade.Exchange] == DirectInsertRows) { await FlushAsync(trade.Exchange).ConfigureAwait(false); }
        }

        foreach (var exchange in ExchangeNames.All.Where(e => rows[e] > 0)) { await FlushAsync(exchange).ConfigureAwait(false); }
        return (clock.Elapsed.TotalSeconds, cpu.Seconds);
    }

    /// <summary>
    /// <c>--rate R --minutes M</c>: publishes R trades/s for M minutes, each stamped with the moment it was handed to the
    /// producer, while silver's rows per exchange are polled every 20 ms; a trade's latency runs from its publishing to
    /// the first poll that counts it (per exchange, in publishing order: the k-th trade of an exchange is in silver once
    /// silver holds k of its trades — blocks are written whole, so this is exact up to the order inside one block). Each
    /// trade's receive time is the moment it was published, so silver's <c>ingested_at − receive_ts</c> gives the part
    /// of it spent before its block began to be written (<c>publish_to_block</c>); the rest is writing the block.
    /// </summary>
    private async Task<BenchReport> AtRateAsync(IngestRig rig, BenchArguments arguments, CancellationToken cancellationToken)
    {
        var settings = await rig.CreateHotTierAsync("bench_ingest_rate", withConsumers: true, cancellationToken).ConfigureAwait(false);
        var records = (long)Math.Round(arguments.Rate * arguments.Minutes * 60);
        var published = ExchangeNames.All.ToDictionary(e => e, _ => new List<long>());
        var latencies = new List<double>();
        using var producer = rig.NewProducer();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var counts = new TableCounts(rig.Gateway, settings);
        var polling = PollLatenciesAsync(counts, published, latencies, records, stop.Token);
        var clock = Stopwatch.StartNew();
        var trades = SyntheticTrades.Generate(records).GetEnumerator();
        long sent = 0, bytes = 0;
        while (sent < records)
        {
            var due = Math.Min(records, (long)(arguments.Rate * clock.Elapsed.TotalSeconds) + 1);
            for (; sent < due && trades.MoveNext(); sent++)
            {
                var trade = trades.Current with { ReceiveTimestampUs = UnixMicros.Now(TimeProvider.System) };
                lock (published) { published[trade.Exchange].Add(Stopwatch.GetTimestamp()); }
                bytes += rig.Publish(producer, settings, [trade], flush: false);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, 1000 / arguments.Rate)), cancellationToken).ConfigureAwait(false);
        }

        producer.Flush(TimeSpan.FromMinutes(1));
        var publishSeconds = clock.Elapsed.TotalSeconds;
        var (consumed, _) = await counts.SettledSilverAsync(records, cancellationToken).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await polling.ConfigureAwait(false);
        await counts.WaitForEveryTableAsync(consumed, cancellationToken).ConfigureAwait(false);
        var expected = ExpectedCandles.From(SyntheticTrades.Generate(records));
        var check = await IngestCheck.RunAsync(rig.Gateway, settings, records, expected, cancellationToken).ConfigureAwait(false);
        var toBlock = await rig.Gateway.QueryScalarAsync(
            $"SELECT arrayStringConcat(arrayMap(q -> toString(round(q / 1000, 1)), quantiles(0.5, 0.99)(dateDiff('microsecond', receive_ts, ingested_at))), ' ') FROM {settings.Table(HotTierMigrations.SilverTable)}",
            cancellationToken: cancellationToken).ConfigureAwait(false);
        await rig.DropAsync(settings, cancellationToken).ConfigureAwait(false);
        return new BenchReport
        {
            Scenario = Name,
            Records = consumed,
            Seconds = Math.Round(publishSeconds, 3),
            Bytes = bytes,
            P50Milliseconds = BenchReport.Percentile(latencies, 50),
            P99Milliseconds = BenchReport.Percentile(latencies, 99),
            Details = new Dictionary<string, object>
            {
                ["chdb_version"] = rig.ChDbVersion,
                ["settings"] = rig.Describe(settings),
                ["target_rate"] = arguments.Rate,
                ["latency_samples"] = latencies.Count,
                ["max_ms"] = latencies.Count == 0 ? 0 : Math.Round(latencies[^1], 3),
                ["publish_to_block_p50_p99_ms"] = toBlock,
                ["check"] = check.ToReport(),
            },
        };
    }

    private static async Task PollLatenciesAsync(TableCounts counts, Dictionary<Exchange, List<long>> published, List<double> latencies, long records, CancellationToken cancellationToken)
    {
        var seen = ExchangeNames.All.ToDictionary(e => e, _ => 0L);
        while (!cancellationToken.IsCancellationRequested && seen.Values.Sum() < records)
        {
            var silver = await counts.SilverByExchangeAsync(CancellationToken.None).ConfigureAwait(false);
            var now = Stopwatch.GetTimestamp();
            lock (published)
            {
                foreach (var exchange in ExchangeNames.All)
                {
                    var upTo = Math.Min(silver.GetValueOrDefault(exchange), published[exchange].Count);
                    for (var k = seen[exchange]; k < upTo; k++) { latencies.Add(Stopwatch.GetElapsedTime(published[exchange][(int)k], now).TotalMilliseconds); }
                    seen[exchange] = Math.Max(seen[exchange], upTo);
                }
            }

            try
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

/// <summary>
/// CPU time this process used (every thread: the engine, librdkafka, the mock brokers) since it started: on a shared
/// host rows per CPU-second compare two paths where rows per second measure mostly what the other processes left.
/// </summary>
internal readonly struct CpuClock
{
    private readonly TimeSpan _start;

    private CpuClock(TimeSpan start) => _start = start;

    public static CpuClock Start() => new(Used());

    public double Seconds => (Used() - _start).TotalSeconds;

    private static TimeSpan Used()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}

/// <summary>
/// The engine's own counters (<c>system.events</c>) that tell where an ingest phase's work went: blocks and parts
/// written, merges, Kafka polls and messages, and the CPU the engine's threads used.
/// </summary>
internal sealed class EngineEvents
{
    private static readonly string[] Names =
    [
        "InsertQuery", "InsertedRows", "MergeTreeDataWriterBlocks", "MergeTreeDataWriterRows", "Merge", "MergedRows", "MergeTotalMilliseconds",
        "KafkaBackgroundReads", "KafkaMessagesPolled", "KafkaMessagesRead", "KafkaRowsRead", "KafkaCommits", "KafkaWrites",
        "UserTimeMicroseconds", "SystemTimeMicroseconds", "FileOpen",
    ];

    private readonly IClickHouseGateway _gateway;
    private readonly Dictionary<string, long> _start;

    private EngineEvents(IClickHouseGateway gateway, Dictionary<string, long> start)
    {
        _gateway = gateway;
        _start = start;
    }

    public static async Task<EngineEvents> StartAsync(IClickHouseGateway gateway, CancellationToken cancellationToken) =>
        new(gateway, await ReadAsync(gateway, cancellationToken).ConfigureAwait(false));

    public async Task<Dictionary<string, long>> SinceAsync(CancellationToken cancellationToken)
    {
        var now = await ReadAsync(_gateway, cancellationToken).ConfigureAwait(false);
        return Names.Where(now.ContainsKey).ToDictionary(n => n, n => now[n] - _start.GetValueOrDefault(n));
    }

    private static async Task<Dictionary<string, long>> ReadAsync(IClickHouseGateway gateway, CancellationToken cancellationToken)
    {
        var text = await gateway.QueryTextAsync(
            $"SELECT event, value FROM system.events WHERE event IN ({string.Join(", ", Names.Select(n => $"'{n}'"))})", cancellationToken: cancellationToken).ConfigureAwait(false);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToDictionary(f => f[0], f => long.Parse(f[1], CultureInfo.InvariantCulture));
    }
}

/// <summary>Row counts of one hot tier, polled while it ingests.</summary>
internal sealed class TableCounts(IClickHouseGateway gateway, HotTierSettings settings)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);

    /// <summary>Each count is a query on the engine the consumers share: polled more often, the polling itself took a visible share of the CPU.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    public Task<long> SilverAsync(CancellationToken cancellationToken) => CountAsync($"SELECT count() FROM {settings.Table(HotTierMigrations.SilverTable)}", cancellationToken);

    public async Task<Dictionary<Exchange, long>> SilverByExchangeAsync(CancellationToken cancellationToken)
    {
        var text = await gateway.QueryTextAsync($"SELECT exchange, count() FROM {settings.Table(HotTierMigrations.SilverTable)} GROUP BY exchange", cancellationToken: cancellationToken).ConfigureAwait(false);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Select(f => (Known: ExchangeNames.TryParse(f[0], out var exchange), Exchange: exchange, Rows: long.Parse(f[1], CultureInfo.InvariantCulture)))
            .Where(r => r.Known)
            .ToDictionary(r => r.Exchange, r => r.Rows);
    }

    public async Task WaitForSilverAsync(long expected, CancellationToken cancellationToken) =>
        await WaitForAsync($"SELECT count() FROM {settings.Table(HotTierMigrations.SilverTable)}", expected, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Until bronze holds <paramref name="trades"/> and every candle table counts them: one insert writes all eight
    /// tables, but each commits its part on its own (one check right after silver was complete found bronze 23,085 rows short).
    /// </summary>
    public async Task WaitForEveryTableAsync(long trades, CancellationToken cancellationToken)
    {
        var bronze = string.Join(" + ", ExchangeNames.All.Select(e => $"(SELECT count() FROM {settings.Table(HotTierMigrations.BronzeTable(e))})"));
        await WaitForAsync($"SELECT {bronze}", trades, cancellationToken).ConfigureAwait(false);
        foreach (var interval in CandleInterval.All)
        {
            await WaitForAsync($"SELECT sum(trade_count) FROM {settings.Table(interval.Table)}", trades, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Polls silver until it holds <paramref name="expected"/> rows or has not grown for 30 s; returns its count and how
    /// long it had been still (zero when it reached the target). On a loaded host one full block (65,536 rows into eight
    /// tables) was seen to take more than 10 s, which an earlier 10 s limit reported as trades not consumed.
    /// </summary>
    public async Task<(long Count, TimeSpan StillFor)> SettledSilverAsync(long expected, CancellationToken cancellationToken)
    {
        var idle = TimeSpan.FromSeconds(30);
        long last = -1;
        var lastChange = Stopwatch.StartNew();
        while (true)
        {
            var count = await SilverAsync(cancellationToken).ConfigureAwait(false);
            if (count >= expected) { return (count, TimeSpan.Zero); }
            if (count != last)
            {
                last = count;
                lastChange.Restart();
            }
            else if (lastChange.Elapsed > idle)
            {
                return (count, lastChange.Elapsed);
            }

            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitForAsync(string countQuery, long expected, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (expected > 0 && await CountAsync(countQuery, cancellationToken).ConfigureAwait(false) < expected)
        {
            if (deadline.Elapsed > Patience) { throw new TimeoutException($"{countQuery} did not reach {expected} in {Patience.TotalMinutes} minutes"); }
            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<long> CountAsync(string countQuery, CancellationToken cancellationToken) =>
        long.TryParse(await gateway.QueryScalarAsync(countQuery, cancellationToken: cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture, out var count) ? count : 0;
}
