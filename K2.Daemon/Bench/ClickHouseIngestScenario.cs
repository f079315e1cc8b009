using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using K2.ClickHouse;
using K2.ClickHouse.Embedded;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Kafka.Embedded;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Daemon.Bench;

/// <summary>
/// <c>k2 bench clickhouse-ingest</c>: synthetic normalized trades are published to the embedded Kafka cluster
/// first; the clock runs from the moment the hot tier's consumers are created until every trade is in silver
/// and counted in the 1-minute and 1-day candles (embedded chDB, all six candle tables maintained).
/// </summary>
internal sealed class ClickHouseIngestScenario : IBenchScenario
{
    public string Name => "clickhouse-ingest";

    public string Description => "Rows/s from the Kafka topics through bronze → silver → six candle tables (embedded chDB, embedded Kafka)";

    public async Task<BenchReport> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        using var kafka = EmbeddedKafkaCluster.Start();
        using var engine = ChDbEngine.Open(Path.Combine(arguments.DataDir, "chdb"));
        var gateway = new EmbeddedClickHouseGateway(engine);
        var options = new ClickHouseOptions { Database = "bench_ingest" };
        options.Kafka.TopicPrefix = $"bench.{Guid.NewGuid():N}.";
        options.Kafka.FlushIntervalMilliseconds = 1000;
        var settings = new HotTierSettings(options, kafka.BootstrapServers);
        foreach (var exchange in ExchangeNames.All) { kafka.CreateTopic(settings.Topic(exchange), partitions: 3); }

        await new HotTierSchema(gateway, settings, NullLogger<HotTierSchema>.Instance).ApplyAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var ingest = Stopwatch.StartNew();
        var bytes = Publish(kafka.BootstrapServers, settings, arguments.Records);
        var produceSeconds = ingest.Elapsed.TotalSeconds;
        var silver = await SettledCountAsync(gateway, $"SELECT count() FROM {settings.Table(HotTierMigrations.SilverTable)}", arguments.Records, cancellationToken).ConfigureAwait(false);
        var seconds = ingest.Elapsed.TotalSeconds - (silver.SettledFor?.TotalSeconds ?? 0);
        foreach (var interval in new[] { CandleInterval.All[0], CandleInterval.All[^1] })
        {
            await SettledCountAsync(gateway, $"SELECT sum(trade_count) FROM {settings.Table(interval.Table)}", silver.Count, cancellationToken).ConfigureAwait(false);
        }

        ingest.Stop();
        var candles = new Dictionary<string, object>();
        foreach (var interval in CandleInterval.All)
        {
            candles[interval.Table] = long.Parse(await gateway.QueryScalarAsync($"SELECT count() FROM {settings.Table(interval.View)}", cancellationToken: cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        await gateway.ExecuteAsync($"DROP DATABASE {settings.Database} SYNC", cancellationToken: cancellationToken).ConfigureAwait(false);
        return new BenchReport
        {
            Scenario = Name,
            Records = silver.Count,
            Seconds = Math.Round(seconds, 3),
            Bytes = bytes,
            Details = new Dictionary<string, object>
            {
                ["chdb_version"] = ChDbEngine.LibraryVersion ?? "unknown",
                ["published"] = arguments.Records,
                ["not_consumed_when_settled"] = arguments.Records - silver.Count,
                ["produce_seconds"] = Math.Round(produceSeconds, 3),
                ["flush_interval_ms"] = options.Kafka.FlushIntervalMilliseconds,
                ["partitions_per_topic"] = 3,
                ["candles"] = candles,
            },
        };
    }

    private static long Publish(string bootstrapServers, HotTierSettings settings, long records)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrapServers, LingerMs = 20, BatchSize = 1_000_000 }).Build();
        long bytes = 0;
        var failed = 0;
        foreach (var trade in SyntheticTrades.Generate(records))
        {
            var value = NormalizedTradeJson.Encode(trade);
            bytes += value.Length;
            while (true)
            {
                try
                {
                    producer.Produce(settings.Topic(trade.Exchange), new Message<string, byte[]> { Key = NormalizedTradeJson.Key(trade), Value = value }, report =>
                    {
                        if (report.Error.IsError) { Interlocked.Increment(ref failed); }
                    });
                    break;
                }
                catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }
        }

        producer.Flush(TimeSpan.FromMinutes(2));
        if (failed > 0) { throw new InvalidOperationException($"{failed} synthetic trades were not delivered to the embedded Kafka cluster"); }
        return bytes;
    }

    /// <summary>
    /// Polls <paramref name="countQuery"/> until it reaches <paramref name="expected"/> or stops growing for
    /// <see cref="Settle"/>; returns the count and, when it settled short, how long it had been still.
    /// </summary>
    private static async Task<(long Count, TimeSpan? SettledFor)> SettledCountAsync(IClickHouseGateway gateway, string countQuery, long expected, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        long last = -1;
        var lastChange = DateTime.UtcNow;
        while (true)
        {
            var text = await gateway.QueryScalarAsync(countQuery, cancellationToken: cancellationToken).ConfigureAwait(false);
            var count = long.TryParse(text, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
            if (count >= expected) { return (count, null); }
            if (count != last)
            {
                last = count;
                lastChange = DateTime.UtcNow;
            }
            else if (count > 0 && DateTime.UtcNow - lastChange > Settle)
            {
                return (count, DateTime.UtcNow - lastChange);
            }

            if (DateTime.UtcNow > deadline) { throw new TimeoutException($"{countQuery} reached {count} of {expected} in 10 minutes"); }
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);
}
