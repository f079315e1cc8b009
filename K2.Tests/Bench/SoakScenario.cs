using System.Diagnostics;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Daemon.Replay;
using K2.Exchanges;
using K2.Instruments;
using K2.Offload.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K2.Bench;

/// <summary>
/// <c>k2 bench soak --minutes N [--rate R]</c>: synthetic Binance, Kraken and Coinbase streams (every symbol of
/// instruments.yaml, in each exchange's wire format) paced at R trades/s through the whole embedded pipeline —
/// ingestion path, Kafka, ClickHouse's hot tier and an offload every minute into Iceberg. Reports whether RSS
/// stayed within 10 % after warm-up, then, once everything is consumed and offloaded, whether every trade made
/// it once into bronze, silver and the cold tier.
/// </summary>
internal sealed class SoakScenario : IBenchScenario
{
    // The reference ingested ~57 trades/s from Binance plus a trickle from Kraken; the default rate (600/s) is ten
    // times that, spread so that Binance stays the busiest feed.
    private static readonly (Exchange Exchange, double Share)[] Shares = [(Exchange.Binance, 0.6), (Exchange.Kraken, 0.2), (Exchange.Coinbase, 0.2)];
    private static readonly TimeSpan OffloadPeriod = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan IngestionMargin = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ConsumeTimeout = TimeSpan.FromMinutes(5);
    private const double RssTolerancePercent = 10;

    public string Name => "soak";

    public string Description => "Synthetic exchanges at --rate trades/s (default 600, 10× the reference) through the whole embedded pipeline for --minutes; RSS flatness and trade counts at every stage";

    public async Task<BenchReport> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        var duration = TimeSpan.FromMinutes(arguments.Minutes);
        var warmUp = WarmUp(duration);

        // The production ingestion margin, so the offloads during the run see the hot tier as they would live.
        await using var pipeline = await EmbeddedPipeline.StartAsync(arguments.DataDir, new Dictionary<string, string?>
        {
            ["Modules:Offload:IngestionMarginSeconds"] = IngestionMargin.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, cancellationToken);
        var feeds = Feeds(pipeline.Services);
        using var probe = new MemoryProbe(pipeline);
        var clock = Stopwatch.StartNew();
        OffloadTally tally;
        RssFigures rss;
        IReadOnlyList<MemoryBreakdown> memory;
        IReadOnlyList<double[]> rssSeries;
        await using (var sampler = new PeriodicSampler<double>(SamplePeriod(duration), TimeProvider.System, _ => Task.FromResult(ProcessFigures.RssMegabytes())))
        await using (var breakdown = new PeriodicSampler<MemoryBreakdown>(BreakdownPeriod(duration), TimeProvider.System, ct => probe.MeasureAsync(clock.Elapsed, ct)))
        {
            var feeding = Task.WhenAll(Shares.Select((s, i) => feeds[i].RunAsync(arguments.Rate * s.Share, duration, cancellationToken)));
            tally = await OffloadWhileAsync(pipeline, feeding, cancellationToken);
            await feeding;
            var samples = sampler.Since(TimeSpan.Zero);
            rss = RssFigures.From([.. samples.Where(s => s.At >= warmUp).Select(s => s.Value)], warmUp, RssTolerancePercent);

            // Floored so that a sample keeps its side of the warm-up line.
            rssSeries = [.. samples.Select(s => new[] { Math.Floor(s.At.TotalSeconds * 10) / 10, s.Value })];
            memory = [.. breakdown.Since(TimeSpan.Zero).Select(s => s.Value)];
        }

        var fedSeconds = clock.Elapsed.TotalSeconds;
        await pipeline.WaitUntilConsumedAsync(feeds.ToDictionary(f => f.Exchange, f => f.Generated), ConsumeTimeout, cancellationToken);
        var drainSeconds = clock.Elapsed.TotalSeconds - fedSeconds;

        // The offload takes rows only once they are older than the ingestion margin.
        await Task.Delay(IngestionMargin + TimeSpan.FromSeconds(1), cancellationToken);
        var final = Stopwatch.StartNew();
        await pipeline.OffloadAsync(cancellationToken);
        var finalOffloadSeconds = final.Elapsed.TotalSeconds;

        var counts = await SoakCounts.MeasureAsync(pipeline, feeds, cancellationToken);
        var heap = LiveHeap.Measure(feeds);
        return new BenchReport
        {
            Scenario = Name,
            Records = counts.Generated,
            Seconds = Math.Round(fedSeconds, 3),
            Details = new Dictionary<string, object>
            {
                ["minutes"] = arguments.Minutes,
                ["target_rate"] = arguments.Rate,
                ["exchanges"] = counts.Exchanges,
                ["silver"] = counts.Silver,
                ["lost"] = counts.Lost,
                ["doubled"] = counts.Doubled,
                ["nothing_lost"] = counts.Lost == 0,
                ["nothing_doubled"] = counts.Doubled == 0,
                ["rss_mb"] = rss,
                ["rss_flat"] = rss.Flat,
                ["memory_growth_after_warmup_mb"] = MemoryGrowth.After(memory, warmUp),
                ["dotnet_live_heap_mb"] = heap,
                ["memory"] = memory,
                ["rss_samples_s_mb"] = rssSeries,
                ["offloads_during_run"] = tally.Runs,
                ["offload_rows_during_run"] = tally.Rows,
                ["offload_longest_seconds"] = Math.Round(tally.LongestSeconds, 3),
                ["offload_failures"] = tally.Failures,
                ["drain_seconds"] = Math.Round(drainSeconds, 3),
                ["final_offload_seconds"] = Math.Round(finalOffloadSeconds, 3),
            },
        };
    }

    /// <summary>The first 20 % of the run and at least a minute, but never more than half of a short run.</summary>
    internal static TimeSpan WarmUp(TimeSpan duration) =>
        TimeSpan.FromTicks(Math.Max((long)(duration.Ticks * 0.2), Math.Min(TimeSpan.FromMinutes(1).Ticks, duration.Ticks / 2)));

    private static TimeSpan SamplePeriod(TimeSpan duration) =>
        TimeSpan.FromSeconds(Math.Clamp(duration.TotalSeconds / 60, 1, 5));

    /// <summary>About 20 breakdowns a run: each queries chDB and the mock cluster, so fewer than the RSS samples.</summary>
    private static TimeSpan BreakdownPeriod(TimeSpan duration) =>
        TimeSpan.FromSeconds(Math.Clamp(duration.TotalSeconds / 20, 1, 30));

    private static SoakFeed[] Feeds(IServiceProvider services)
    {
        var instruments = services.GetRequiredService<IInstrumentRegistry>().Current;
        var options = services.GetRequiredService<ExchangesOptions>();
        var sink = services.GetRequiredService<ITradeSink>();
        var deadLetters = services.GetRequiredService<IDeadLetterSink>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("K2.Bench.Soak");
        return [.. Shares.Select(s => new SoakFeed(s.Exchange, instruments, options, sink, deadLetters, logger))];
    }

    /// <summary>Runs the offload every <see cref="OffloadPeriod"/> until <paramref name="feeding"/> ends.</summary>
    private static async Task<OffloadTally> OffloadWhileAsync(EmbeddedPipeline pipeline, Task feeding, CancellationToken cancellationToken)
    {
        var tally = new OffloadTally();
        while (true)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var tick = Task.Delay(OffloadPeriod, wait.Token);
            if (await Task.WhenAny(tick, feeding) == feeding)
            {
                await wait.CancelAsync();
                return tally;
            }

            var clock = Stopwatch.StartNew();
            try
            {
                var results = await pipeline.OffloadAsync(cancellationToken);
                tally.Runs++;
                tally.Rows += results.Sum(r => r.Rows);
            }
            catch (ReplayException ex)
            {
                tally.Failures.Add(ex.Message);
            }

            tally.LongestSeconds = Math.Max(tally.LongestSeconds, clock.Elapsed.TotalSeconds);
        }
    }

    private sealed class OffloadTally
    {
        public int Runs { get; set; }

        public long Rows { get; set; }

        public double LongestSeconds { get; set; }

        public List<string> Failures { get; } = [];
    }
}
