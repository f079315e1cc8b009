using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using K2.ClickHouse;
using K2.ClickHouse.Embedded;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Health;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Kafka;
using K2.Kafka.Embedded;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Bench;

/// <summary>
/// <c>k2 bench clickhouse-ingest</c>: synthetic normalized trades published to the embedded Kafka cluster
/// while the hot tier's consumers run; the clock runs from the first message until every trade is in silver
/// and counted in the 1-minute and 1-day candles (all six candle tables are maintained on the way), or until
/// silver has not grown for 5 s: trades still unconsumed then are reported, not waited for.
/// The publisher stays at most <see cref="Window"/> trades ahead of silver: the mock cluster keeps only about
/// 5 MB per partition, so an unpaced burst would be deleted before the consumers read it.
/// </summary>
internal sealed class ClickHouseIngestScenario : IBenchScenario
{
    private const int Chunk = 5_000;
    private const int Window = 20_000;

    public string Name => "clickhouse-ingest";

    public string Description => "Rows/s from the Kafka topics through bronze → silver → six candle tables (embedded chDB, embedded Kafka)";

    public async Task<BenchReport> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        using var kafka = EmbeddedKafkaCluster.Start();
        var connection = new KafkaConnection(new KafkaOptions { Topics = { Prefix = $"bench.{Guid.NewGuid():N}." } }, kafka.BootstrapServers);
        var options = new ClickHouseOptions { Database = "bench_ingest" };
        using var engine = ChDbEngine.Open(Path.Combine(arguments.DataDir, "chdb"), serverSettings: new EmbeddedClickHouseOptions().ServerSettings(),
            namedCollections: [KafkaNamedCollection.Define(options.Kafka.NamedCollection, connection.Security)]);
        var gateway = new EmbeddedClickHouseGateway(engine);
        var settings = new HotTierSettings(options, connection.Topics, kafka.BootstrapServers);
        foreach (var exchange in ExchangeNames.All) { kafka.CreateTopic(settings.Topic(exchange), partitions: 3); }
        await new HotTierSchema(gateway, settings, NullLogger<HotTierSchema>.Instance).ApplyAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var lag = new KafkaConsumerLag(settings, connection, () => kafka.BootstrapServers);
        await new ConsumerHealth(gateway, settings, lag).WaitForAssignmentsAsync(TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);

        var silverCount = $"SELECT count() FROM {settings.Table(HotTierMigrations.SilverTable)}";
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = kafka.BootstrapServers, LingerMs = 5 }).Build();
        var clock = Stopwatch.StartNew();
        long published = 0, bytes = 0;
        foreach (var chunk in SyntheticTrades.Generate(arguments.Records).Chunk(Chunk))
        {
            await WaitForCountAsync(gateway, silverCount, published - Window, cancellationToken).ConfigureAwait(false);
            bytes += Publish(producer, settings, chunk);
            published += chunk.Length;
        }

        var (consumed, stillFor) = await SettledCountAsync(gateway, silverCount, arguments.Records, cancellationToken).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds - stillFor.TotalSeconds;
        foreach (var interval in new[] { CandleInterval.All[0], CandleInterval.All[^1] })
        {
            await WaitForCountAsync(gateway, $"SELECT sum(trade_count) FROM {settings.Table(interval.Table)}", consumed, cancellationToken).ConfigureAwait(false);
        }

        var lagAtEnd = (await lag.MeasureAsync(cancellationToken).ConfigureAwait(false)).Values.Sum();
        var candles = new Dictionary<string, object>();
        foreach (var interval in CandleInterval.All)
        {
            candles[interval.Table] = await CountAsync(gateway, $"SELECT count() FROM {settings.Table(interval.View)}", cancellationToken).ConfigureAwait(false);
        }

        await gateway.ExecuteAsync($"DROP DATABASE {settings.Database} SYNC", cancellationToken: cancellationToken).ConfigureAwait(false);
        return new BenchReport
        {
            Scenario = Name,
            Records = consumed,
            Seconds = Math.Round(seconds, 3),
            Bytes = bytes,
            Details = new Dictionary<string, object>
            {
                ["chdb_version"] = ChDbEngine.LibraryVersion ?? "unknown",
                ["flush_interval_ms"] = options.Kafka.FlushIntervalMilliseconds,
                ["partitions_per_topic"] = 3,
                ["publisher_window"] = Window,
                ["published"] = published,
                ["not_consumed_after_5s_idle"] = published - consumed,
                ["consumer_lag_at_end"] = lagAtEnd,
                ["candles"] = candles,
            },
        };
    }

    private static long Publish(IProducer<string, byte[]> producer, HotTierSettings settings, IEnumerable<NormalizedTrade> trades)
    {
        long bytes = 0;
        var failed = 0;
        foreach (var trade in trades)
        {
            var value = NormalizedTradeJson.Encode(trade);
            bytes += value.Length;
            producer.Produce(settings.Topic(trade.Exchange), new Message<string, byte[]> { Key = NormalizedTradeJson.Key(trade), Value = value }, report =>
            {
                if (report.Error.IsError) { Interlocked.Increment(ref failed); }
            });
        }

        producer.Flush(TimeSpan.FromMinutes(1));
        if (failed > 0) { throw new InvalidOperationException($"{failed} synthetic trades were not delivered to the embedded Kafka cluster"); }
        return bytes;
    }

    private static async Task WaitForCountAsync(IClickHouseGateway gateway, string countQuery, long expected, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (expected > 0 && await CountAsync(gateway, countQuery, cancellationToken).ConfigureAwait(false) < expected)
        {
            if (DateTime.UtcNow > deadline) { throw new TimeoutException($"{countQuery} did not reach {expected} in 10 minutes"); }
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Polls until the count reaches <paramref name="expected"/> or has not grown for 5 s; returns it and how
    /// long it had been still (zero when it reached the target).
    /// </summary>
    private static async Task<(long Count, TimeSpan StillFor)> SettledCountAsync(IClickHouseGateway gateway, string countQuery, long expected, CancellationToken cancellationToken)
    {
        var idle = TimeSpan.FromSeconds(5);
        long last = -1;
        var lastChange = Stopwatch.StartNew();
        while (true)
        {
            var count = await CountAsync(gateway, countQuery, cancellationToken).ConfigureAwait(false);
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

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<long> CountAsync(IClickHouseGateway gateway, string countQuery, CancellationToken cancellationToken) =>
        long.TryParse(await gateway.QueryScalarAsync(countQuery, cancellationToken: cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture, out var count) ? count : 0;
}
