using System.Diagnostics;
using System.Globalization;
using K2.Core.Configuration;
using K2.Core.Time;
using K2.Core.Trades;
using K2.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace K2.Daemon.Bench;

/// <summary>
/// <c>k2 bench publish</c>: normalized trades through the Kafka module as the daemon runs it (serialize, queue,
/// idempotent lz4 producer with the module's default settings) into the embedded mock cluster, three publishing tasks
/// like the three ingestors; throughput until the last acknowledgement, and receive→ack latency percentiles from the
/// module's <c>k2_kafka_receive_to_ack_seconds</c> histogram.
/// </summary>
internal sealed class PublishScenario : IBenchScenario
{
    private const int SymbolsPerExchange = 20;
    private const int TradesPerFrame = 4;
    private const int WarmUpRecords = 300_000;
    private const string ReceiveToAck = "k2_kafka_receive_to_ack_seconds";

    public string Name => "publish";

    public string Description => "Normalized records/s into the embedded Kafka cluster and p99 receive→ack latency";

    public async Task<BenchReport> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        using var host = KafkaModuleHost(arguments.DataDir);
        await host.StartAsync(cancellationToken);
        var sink = host.Services.GetRequiredService<ITradeSink>();
        var publisher = host.Services.GetRequiredService<IKafkaPublisherState>();
        var options = host.Services.GetRequiredService<KafkaOptions>();
        while (!publisher.TopicsReady) { await Task.Delay(10, cancellationToken); }

        // The daemon publishes for days: time the steady state, after the JIT has compiled the hot path at full
        // optimisation, not the first seconds of tier-0 code.
        await Task.WhenAll(ExchangeNames.All.Select(e => Task.Run(() => PublishAsync(sink, e, WarmUpRecords / ExchangeNames.All.Count, cancellationToken), cancellationToken)));
        while (!publisher.IsDrained) { await Task.Delay(1, cancellationToken); }
        var latencyBefore = await ExportedHistogram.ReadAsync(Metrics.DefaultRegistry, ReceiveToAck, cancellationToken);

        var perExchange = arguments.Records / ExchangeNames.All.Count;
        var started = Stopwatch.StartNew();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        await Task.WhenAll(ExchangeNames.All.Select(e => Task.Run(() => PublishAsync(sink, e, perExchange, cancellationToken), cancellationToken)));
        while (!publisher.IsDrained) { await Task.Delay(1, cancellationToken); }
        var seconds = started.Elapsed.TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var records = perExchange * ExchangeNames.All.Count;
        var latency = (await ExportedHistogram.ReadAsync(Metrics.DefaultRegistry, ReceiveToAck, cancellationToken)).Since(latencyBefore);
        var spooled = publisher.SpooledRecords;
        await host.StopAsync(cancellationToken);

        return new BenchReport
        {
            Scenario = Name,
            Records = records,
            Seconds = Math.Round(seconds, 3),
            P50Milliseconds = Math.Round(latency.Quantile(0.50) * 1000, 3),
            P99Milliseconds = Math.Round(latency.Quantile(0.99) * 1000, 3),
            AllocatedBytesPerRecord = Math.Round((double)allocated / records, 1),
            Details = new Dictionary<string, object>
            {
                ["acknowledged"] = latency.Count,
                ["warm_up_records"] = WarmUpRecords,
                ["compression"] = options.Producer.Compression.ToString().ToLowerInvariant(),
                ["linger_ms"] = options.Producer.LingerMs,
                ["ack_window"] = options.Producer.AckWindow,
                ["queue_capacity"] = options.Producer.QueueCapacity,
                ["partitions"] = string.Join('/', ExchangeNames.All.Select(e => options.Topics.For(e).Partitions)),
                ["spooled_records"] = spooled,
            },
        };
    }

    /// <summary>The Kafka module alone, embedded, with its default settings except the raw topics, which are off.</summary>
    private static IHost KafkaModuleHost(string dataDir)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var settings = new Dictionary<string, string?> { [$"{StorageOptions.SectionName}:DataDir"] = dataDir, [$"{KafkaOptions.SectionName}:Mode"] = nameof(KafkaMode.Embedded) };
        foreach (var exchange in ExchangeNames.All) { settings[$"{KafkaOptions.SectionName}:Topics:Exchanges:{exchange.ToWire()}:PublishRaw"] = "false"; }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddKafka(builder.Configuration);
        var problems = builder.Services.GetConfigurationProblems().All;
        return problems.Count == 0 ? builder.Build() : throw new InvalidOperationException("bench configuration: " + string.Join("; ", problems));
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
