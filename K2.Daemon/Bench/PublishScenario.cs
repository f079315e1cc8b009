using System.Diagnostics;
using System.Globalization;
using K2.Core.Time;
using K2.Core.Trades;
using K2.Kafka;
using K2.Kafka.Publishing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Daemon.Bench;

/// <summary>
/// <c>k2 bench publish</c>: normalized trades through the Kafka module's sink (serialize, queue,
/// idempotent lz4 producer with the module's default settings) into the embedded mock cluster, three publishing tasks like the three
/// ingestors; throughput until the last acknowledgement and receive→ack latency percentiles.
/// </summary>
internal sealed class PublishScenario : IBenchScenario
{
    private const int SymbolsPerExchange = 20;
    private const int TradesPerFrame = 4;

    private const int WarmUpRecords = 300_000;

    public string Name => "publish";

    public string Description => "Normalized records/s into the embedded Kafka cluster and p99 receive→ack latency";

    public async Task<BenchReport> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        var options = new KafkaOptions { Mode = KafkaMode.Embedded };
        options.Topics.Exchanges.Values.ToList().ForEach(t => t.PublishRaw = false);
        using var bootstrap = new KafkaBootstrap(options);
        await using var publisher = new KafkaPublisher(options, bootstrap, Path.Combine(arguments.DataDir, "spool"), NullLogger<KafkaPublisher>.Instance, TimeProvider.System);
        var latencies = new long[Math.Max(arguments.Records, 1)];
        var acked = -1L;
        publisher.AckLatencyObserver = micros =>
        {
            var index = Interlocked.Increment(ref acked);
            if (index < latencies.Length) { latencies[index] = micros; }
        };
        publisher.Start();
        while (!publisher.TopicsReady) { await Task.Delay(10, cancellationToken); }

        // The daemon publishes for days: time the steady state, after the JIT has compiled the hot path at full
        // optimisation, not the first seconds of tier-0 code.
        await Task.WhenAll(ExchangeNames.All.Select(e => Task.Run(() => PublishAsync(publisher, e, WarmUpRecords / ExchangeNames.All.Count, cancellationToken), cancellationToken)));
        while (!publisher.IsDrained) { await Task.Delay(1, cancellationToken); }
        Interlocked.Exchange(ref acked, -1);

        var perExchange = arguments.Records / ExchangeNames.All.Count;
        var started = Stopwatch.StartNew();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        await Task.WhenAll(ExchangeNames.All.Select(e => Task.Run(() => PublishAsync(publisher, e, perExchange, cancellationToken), cancellationToken)));
        while (!publisher.IsDrained) { await Task.Delay(1, cancellationToken); }
        var seconds = started.Elapsed.TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var records = perExchange * ExchangeNames.All.Count;

        var samples = latencies.Take((int)Math.Min(records, latencies.Length)).Select(us => us / 1000.0).ToList();
        return new BenchReport
        {
            Scenario = Name,
            Records = records,
            Seconds = Math.Round(seconds, 3),
            P50Milliseconds = BenchReport.Percentile(samples, 50),
            P99Milliseconds = BenchReport.Percentile(samples, 99),
            AllocatedBytesPerRecord = Math.Round((double)allocated / records, 1),
            Details = new Dictionary<string, object>
            {
                ["acknowledged"] = Interlocked.Read(ref acked) + 1,
                ["warm_up_records"] = WarmUpRecords,
                ["compression"] = options.Producer.Compression.ToString().ToLowerInvariant(),
                ["linger_ms"] = options.Producer.LingerMs,
                ["ack_window"] = options.Producer.AckWindow,
                ["queue_capacity"] = options.Producer.QueueCapacity,
                ["partitions"] = string.Join('/', ExchangeNames.All.Select(e => options.Topics.For(e).Partitions)),
                ["spooled_records"] = publisher.SpooledRecords,
            },
        };
    }

    private static async Task PublishAsync(KafkaPublisher publisher, Exchange exchange, long count, CancellationToken cancellationToken)
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

            await publisher.PublishAsync(exchange, ReadOnlyMemory<byte>.Empty, frame, now, cancellationToken);
        }
    }
}
