using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using K2.Core.Trades;

namespace K2.Bench.Chaos;

/// <summary>
/// <c>k2 bench chaos [--minutes 60] [--rate 2000] [--bootstrap host:port]</c>: the real daemon as a child process, fed by
/// local exchanges speaking Binance's, Kraken's and Coinbase's protocols at --rate trades/s, under a printed fault
/// schedule (<see cref="ChaosPlan"/>): connections reset (some mid-frame), a 90 s silent stall per exchange, REST 429s,
/// the embedded Kafka cluster down for 60 s, SIGKILL twice (once during an offload's commits) and a 10× burst. After a
/// quiet drain and a final offload it counts, per exchange and symbol, trades made against bronze, silver and cold silver,
/// recomputes every candle from the made trades against the hot and cold candles, and reports the time to recover from
/// each fault against the 30 s target, RSS and CPU per minute and the spool's peak.
/// </summary>
internal sealed class ChaosScenario : IBenchScenario
{
    private const string Database = "k2";
    private const int Seed = 22;
    private static readonly (Exchange Exchange, double Share)[] Shares = [(Exchange.Binance, 0.6), (Exchange.Kraken, 0.2), (Exchange.Coinbase, 0.2)];
    private static readonly TimeSpan RecoveryTarget = TimeSpan.FromSeconds(30);

    /// <summary>Above the longest stall, so a candle is not offloaded before the trades a stall held back are in.</summary>
    private static readonly TimeSpan CandleLateness = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    public string Name => "chaos";

    public string Description => "The daemon as a child process fed by local exchanges at --rate trades/s (default 600) for --minutes under a fault schedule; lost/doubled trades per layer, candles, recovery times";

    public async Task<BenchReport> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        var duration = TimeSpan.FromMinutes(arguments.Minutes);
        if (duration < ChaosPlan.ShortestRun)
        {
            throw new ArgumentException($"--minutes {arguments.Minutes.ToString(CultureInfo.InvariantCulture)}: a chaos run lasts at least {ChaosPlan.ShortestRun.TotalMinutes} minutes, so that every fault ends while the exchanges still trade");
        }

        var embedded = string.IsNullOrEmpty(arguments.Bootstrap);
        var faults = ChaosPlan.For(duration, embedded, Seed);
        await Console.Error.WriteLineAsync($"k2 bench chaos: {arguments.Minutes.ToString(CultureInfo.InvariantCulture)} min at {arguments.Rate.ToString(CultureInfo.InvariantCulture)} trades/s, fault schedule (from the first trade):\n{ChaosPlan.Describe(faults, embedded)}");

        var exchanges = OpenExchanges();
        foreach (var exchange in exchanges)
        {
            await exchange.StartAsync();
            exchange.RateLimitEvery(ChaosPlan.RateLimitEvery);
        }

        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var (observability, clickHouse) = (FreePort(), FreePort());
        var environment = Environment(arguments, exchanges, password, observability, clickHouse);
        using var probe = new ChaosProbe(new Uri($"http://127.0.0.1:{clickHouse}/"), password, new Uri($"http://127.0.0.1:{observability}/metrics"));
        var run = new ChaosRun(exchanges, probe, faults.Select(f => new FaultRecord(f)).ToList());
        await using var daemon = new ChaosDaemon(arguments.DataDir, environment);
        daemon.LineWritten += run.OnDaemonLine;
        try
        {
            daemon.Start();
            await run.WaitUntilListenedAsync(daemon, StartTimeout, cancellationToken);
            await run.TradeAsync(daemon, arguments.Rate, duration, cancellationToken);
            var drainSeconds = await run.DrainAsync(daemon, DrainTimeout, cancellationToken);
            var cutoff = await run.FinalOffloadAsync(daemon, CandleLateness, cancellationToken);
            var counts = await ChaosTally.CountAsync(probe, Database, exchanges, cancellationToken);
            var candles = await ChaosTally.CompareCandlesAsync(probe, Database, exchanges, cutoff, CandleLateness, cancellationToken);
            run.StopSampling();
            await daemon.StopAsync(TimeSpan.FromSeconds(60));
            var report = Report(arguments, run, counts, candles, drainSeconds, daemon.Starts);
            await Console.Error.WriteLineAsync(ChaosSummary.Table(run, counts, candles, RecoveryTarget));
            return report;
        }
        finally
        {
            run.StopSampling();
            foreach (var exchange in exchanges) { await exchange.DisposeAsync(); }
        }
    }

    private static BenchReport Report(BenchArguments arguments, ChaosRun run, IReadOnlyList<SymbolCounts> counts, IReadOnlyList<CandleCheck> candles, double drainSeconds, int starts)
    {
        long Sum(Func<SymbolCounts, long> pick) => counts.Sum(pick);
        var recoveries = run.Faults.SelectMany(f => f.Unmasked).ToList();
        var recovered = recoveries.Where(r => r is not null).Select(r => r!.Value).ToList();
        return new BenchReport
        {
            Scenario = "chaos",
            Records = Sum(c => c.Generated),
            Seconds = Math.Round(run.TradingSeconds, 3),
            PeakRssMegabytes = run.Minutes.Count == 0 ? 0 : run.Minutes.Max(m => m.RssMaxMegabytes),
            Details = new Dictionary<string, object>
            {
                ["minutes"] = arguments.Minutes,
                ["target_rate"] = arguments.Rate,
                ["kafka"] = string.IsNullOrEmpty(arguments.Bootstrap) ? "embedded" : "external",
                ["candle_lateness_s"] = CandleLateness.TotalSeconds,
                ["daemon_starts"] = starts,
                ["symbols"] = counts,
                ["lost"] = new Dictionary<string, long> { ["bronze"] = Sum(c => c.Bronze.Lost), ["cold_bronze"] = Sum(c => c.ColdBronze.Lost), ["silver"] = Sum(c => c.Silver.Lost), ["cold_silver"] = Sum(c => c.ColdSilver.Lost) },
                ["duplicated"] = new Dictionary<string, long> { ["bronze"] = Sum(c => c.Bronze.Duplicated), ["cold_bronze"] = Sum(c => c.ColdBronze.Duplicated), ["silver"] = Sum(c => c.Silver.Duplicated), ["cold_silver"] = Sum(c => c.ColdSilver.Duplicated) },
                ["redelivered"] = new Dictionary<string, long> { ["bronze"] = Sum(c => c.Bronze.Redelivered), ["cold_bronze"] = Sum(c => c.ColdBronze.Redelivered), ["silver"] = Sum(c => c.Silver.Redelivered), ["cold_silver"] = Sum(c => c.ColdSilver.Redelivered) },
                ["unknown"] = Sum(c => c.Bronze.Unknown + c.ColdBronze.Unknown + c.Silver.Unknown + c.ColdSilver.Unknown),
                ["candles"] = candles,
                ["candles_equal"] = candles.All(c => c.AllEqual),
                ["faults"] = run.Faults,
                ["recovery_target_s"] = RecoveryTarget.TotalSeconds,
                ["recovery_max_s"] = recovered.Count == 0 ? 0 : Math.Round(recovered.Max(), 1),
                ["recovery_p95_s"] = BenchReport.Percentile([.. recovered], 95),
                ["recovery_missing"] = recoveries.Count(r => r is null),
                ["recovered_within_target"] = recoveries.All(r => r is { } s && s <= RecoveryTarget.TotalSeconds),
                ["per_minute"] = run.Minutes,
                ["spool_peak_records"] = run.SpoolPeakRecords,
                ["spool_peak_bytes"] = run.SpoolPeakBytes,
                ["rest_answered"] = run.Exchanges.Sum(e => e.RestAnswered),
                ["rest_rate_limited"] = run.Exchanges.Sum(e => e.RateLimited),
                ["connections_accepted"] = run.Exchanges.ToDictionary(e => e.Exchange.ToWire(), e => e.ConnectionsAccepted),
                ["drain_seconds"] = Math.Round(drainSeconds, 1),
                ["final_offload_seconds"] = Math.Round(run.FinalOffloadSeconds, 1),
            },
        };
    }

    private static ChaosExchange[] OpenExchanges() =>
    [
        new ChaosBinance(
        [
            new SymbolTape("BTCUSDT", 5_000_000_000, 67_000m, 0.01m, 0.00001m),
            new SymbolTape("ETHUSDT", 2_000_000_000, 3_100m, 0.01m, 0.0001m),
            new SymbolTape("SOLUSDT", 900_000_000, 140m, 0.01m, 0.001m),

            // A meme coin's prices (eight decimals). Its trade sizes stay below what main's cold tier holds (decimal(28, 18):
            // an hour's candle volume must stay under 10^10), where a real one reaches 10^10 tokens a trade.
            new SymbolTape("PEPEUSDT", 400_000_000, 0.00000412m, 0.00000001m, 10m),
        ]),
        new ChaosKraken(
        [
            new SymbolTape("ETH/USD", 80_000_000, 3_100m, 0.01m, 0.0001m),
            new SymbolTape("SOL/USD", 20_000_000, 140m, 0.01m, 0.001m),
            new SymbolTape("ADA/USD", 15_000_000, 0.45m, 0.000001m, 10m),
        ]),
        new ChaosCoinbase(
        [
            new SymbolTape("BTC-USD", 700_000_000, 67_000m, 0.01m, 0.00001m),
            new SymbolTape("ETH-USD", 500_000_000, 3_100m, 0.01m, 0.0001m),
            new SymbolTape("SOL-USD", 100_000_000, 140m, 0.01m, 0.001m),
            new SymbolTape("ADA-USD", 60_000_000, 0.45m, 0.0001m, 10m),
            new SymbolTape("DOGE-USD", 40_000_000, 0.12m, 0.00001m, 100m),
        ]),
    ];

    private static Dictionary<string, string> Environment(BenchArguments arguments, IReadOnlyList<ChaosExchange> exchanges, string password, int observability, int clickHouse)
    {
        var dataDir = Path.Combine(arguments.DataDir, "data");
        Directory.CreateDirectory(dataDir);
        var instruments = Path.Combine(arguments.DataDir, "instruments.yaml");
        File.WriteAllText(instruments, new StringBuilder("exchanges:\n").AppendJoin("", exchanges.Select(e =>
            $"  {e.Exchange.ToWire()}:\n    symbols: [{string.Join(", ", e.Tapes.Keys)}]\n")).ToString());
        var environment = new Dictionary<string, string>
        {
            ["K2__Storage__DataDir"] = dataDir,
            ["K2__Instruments__Path"] = instruments,
            ["K2__Observability__Listen"] = $"127.0.0.1:{observability}",
            ["K2__Modules__Query__Enabled"] = "false",
            ["K2__Modules__Catalog__Enabled"] = "false",
            ["K2__Modules__Maintenance__Enabled"] = "false",
            ["K2__Modules__ClickHouse__Database"] = Database,
            ["K2__Modules__ClickHouse__HttpInterface__Enabled"] = "true",
            ["K2__Modules__ClickHouse__HttpInterface__Listen"] = $"127.0.0.1:{clickHouse}",
            ["K2_CLICKHOUSE_HTTP_PASSWORD"] = password,
            ["K2__Modules__Offload__Schedule"] = "* * * * *",
            ["K2__Modules__Offload__CandleLatenessSeconds"] = CandleLateness.TotalSeconds.ToString(CultureInfo.InvariantCulture),

            // Minutes are checked until they are offloaded (closed minutes younger than the lateness).
            ["K2__Modules__ClickHouse__CandleCheck__WindowMinutes"] = "2",
        };
        if (!string.IsNullOrEmpty(arguments.Bootstrap))
        {
            environment["K2__Modules__Kafka__Mode"] = "External";
            environment["K2__Modules__Kafka__BootstrapServers"] = arguments.Bootstrap;
        }

        foreach (var exchange in exchanges)
        {
            var section = $"K2__Modules__Exchanges__{exchange.Exchange}";
            environment[$"{section}__WebSocketUrl"] = exchange.WebSocketUrl.ToString();
            environment[$"{section}__RestUrl"] = exchange.BaseUrl.ToString();
        }

        return environment;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
