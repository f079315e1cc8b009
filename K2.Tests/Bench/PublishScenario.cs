using System.Diagnostics;
using System.Globalization;
using K2.Core.Health;
using K2.Core.Time;
using K2.Core.Trades;
using K2.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace K2.Bench;

/// <summary>
/// <c>k2 bench publish</c>: normalized trades through the Kafka module's trade sink (serialize, queue, idempotent lz4
/// producer with the module's default settings) into the embedded mock cluster, three publishing tasks like the three
/// ingestors; throughput until the last acknowledgement and receive→ack latency percentiles, both read from the
/// module's metrics (<c>k2_kafka_records_acked_total</c>, <c>k2_kafka_receive_to_ack_seconds</c>).
/// </summary>
internal sealed class PublishScenario : IBenchScenario
{
    private const int SymbolsPerExchange = 20;
    private const int TradesPerFrame = 4;

    private const int WarmUpRecords = 300_000;

    private const string Acked = "k2_kafka_records_acked_total{kind=\"trade\"}";
    private const string ReceiveToAck = "k2_kafka_receive_to_ack_seconds";

    public string Name => "publish";

    public string Description => "Normalized records/s into the embedded Kafka cluster and p99 receive→ack latency";

    public async Task<BenchReport> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        using var host = KafkaHost(arguments.DataDir);
        await host.StartAsync(cancellationToken);
        var sink = host.Services.GetRequiredService<ITradeSink>();
        var options = host.Services.GetRequiredService<KafkaOptions>();
        await UntilReadyAsync(host.Services.GetServices<IReadinessCheck>().Single(c => c.Name == "kafka"), cancellationToken);

        // The series of Acked, polled while draining without a scrape's allocations (they would count in the bytes
        // allocated per record): once the module has registered it, the registry returns its counter for the name.
        var ackedTrades = Metrics.CreateCounter("k2_kafka_records_acked_total", "", "kind").WithLabels("trade");

        // The daemon publishes for days: time the steady state, after the JIT has compiled the hot path at full
        // optimisation, not the first seconds of tier-0 code.
        var start = await ExportedMetrics.ScrapeAsync(cancellationToken);
        var warmUp = WarmUpRecords / ExchangeNames.All.Count * ExchangeNames.All.Count;
        await Task.WhenAll(ExchangeNames.All.Select(e => Task.Run(() => PublishAsync(sink, e, warmUp / ExchangeNames.All.Count, cancellationToken), cancellationToken)));
        await UntilAckedAsync(ackedTrades, start.Value(Acked) + warmUp, cancellationToken);
        var before = await ExportedMetrics.ScrapeAsync(cancellationToken);

        var perExchange = arguments.Records / ExchangeNames.All.Count;
        var records = perExchange * ExchangeNames.All.Count;
        var started = Stopwatch.StartNew();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        await Task.WhenAll(ExchangeNames.All.Select(e => Task.Run(() => PublishAsync(sink, e, perExchange, cancellationToken), cancellationToken)));
        await UntilAckedAsync(ackedTrades, before.Value(Acked) + records, cancellationToken);
        var seconds = started.Elapsed.TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var after = await ExportedMetrics.ScrapeAsync(cancellationToken);
        await host.StopAsync(cancellationToken);

        return new BenchReport
        {
            Scenario = Name,
            Records = records,
            Seconds = Math.Round(seconds, 3),
            P50Milliseconds = Math.Round(after.Quantile(ReceiveToAck, before, 0.50) * 1000, 3),
            P99Milliseconds = Math.Round(after.Quantile(ReceiveToAck, before, 0.99) * 1000, 3),
            AllocatedBytesPerRecord = Math.Round((double)allocated / records, 1),
            Details = new Dictionary<string, object>
            {
                ["acknowledged"] = (long)(after.Value(Acked) - before.Value(Acked)),
                ["latency"] = $"p50_ms/p99_ms interpolated within the buckets of {ReceiveToAck}, as Prometheus histogram_quantile does",
                ["warm_up_records"] = warmUp,
                ["compression"] = options.Producer.Compression.ToString().ToLowerInvariant(),
                ["linger_ms"] = options.Producer.LingerMs,
                ["ack_window"] = options.Producer.AckWindow,
                ["queue_capacity"] = options.Producer.QueueCapacity,
                ["partitions"] = string.Join('/', ExchangeNames.All.Select(e => options.Topics.For(e).Partitions)),
                ["spooled_records"] = (long)after.Value("k2_kafka_spool_records"),
            },
        };
    }

    /// <summary>The Kafka module alone, embedded, with its defaults except that no raw frames are published.</summary>
    private static IHost KafkaHost(string dataDir)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:DataDir"] = dataDir,
            ["Modules:Kafka:Mode"] = nameof(KafkaMode.Embedded),
            ["Modules:Kafka:Spool:Path"] = Path.Combine(dataDir, "spool"),
        };
        foreach (var exchange in ExchangeNames.All) { settings[$"Modules:Kafka:Topics:Exchanges:{exchange.ToWire()}:PublishRaw"] = "false"; }
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddKafka(builder.Configuration);
        return builder.Build();
    }

    private static async Task UntilReadyAsync(IReadinessCheck kafka, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (kafka.Check() is { IsReady: false } result)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(1)) { throw new TimeoutException($"the Kafka module was not ready within a minute: {result.Detail}"); }
            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>Waits until the brokers have acknowledged <paramref name="total"/> trades since the process started.</summary>
    private static async Task UntilAckedAsync(Counter.Child acked, double total, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (acked.Value < total)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(10)) { throw new TimeoutException($"{acked.Value} of {total} trades acknowledged after 10 minutes"); }
            await Task.Delay(1, cancellationToken);
        }
    }

    private static async Task PublishAsync(ITradeSink sink, Exchange exchange, long count, CancellationToken cancellationToken)
    {
        var symbols = Enumerable.Range(0, SymbolsPerExchange).Select(i => $"SYM{i}USD").ToArray();
        var frame = new List<NormalizedTrade>(TradesPerFrame);
        for (long i = 0; i < count; i += TradesPerFrame)
        {
            frame.Clear();
            var now = UnixMicros.Now(TimeProvider.System);
            for (var j = 0; j < TradesPerFrame && i + j < count; j++)
            {
                var n = i + j;
                var symbol = symbols[n % symbols.Length];
                frame.Add(new NormalizedTrade(exchange, symbol, symbol, n.ToString(CultureInfo.InvariantCulture),
                    60_000m + n % 1000 * 0.01m, 0.00012345m * (1 + n % 50), n % 2 == 0 ? TradeSide.Buy : TradeSide.Sell,
                    now - 5000, now, new TradeExtras(IsBuyerMaker: n % 2 == 1, EventTimestampUs: now - 4000)));
            }

            await sink.PublishAsync(exchange, ReadOnlyMemory<byte>.Empty, frame, now, cancellationToken);
        }
    }
}
