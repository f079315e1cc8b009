using System.Diagnostics;
using K2.ClickHouse.Health;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Tests.Support;

namespace K2.Tests.ClickHouse;

/// <summary>
/// The three exchanges' queue tables stream at the same time. Each holds an engine thread for as long as its messages
/// keep coming, so an engine with fewer consumer threads than exchanges leaves one exchange out of bronze for a minute.
/// </summary>
public sealed class ConsumerStreamingTests
{
    private const int TradesPerTick = 5;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StreamFor = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan AllowedLag = TimeSpan.FromSeconds(5);

    [Test]
    public async Task Every_exchange_reaches_bronze_within_seconds_while_all_three_stream_at_once()
    {
        await using var hotTier = HotTier.Create();
        foreach (var exchange in ExchangeNames.All) { EmbeddedKafka.Cluster.CreateTopic(hotTier.Settings.Topic(exchange), partitions: 1); }
        await hotTier.Schema.ApplyAsync();
        await new ConsumerHealth(HotTier.Gateway, hotTier.Settings, HotTier.Lag(hotTier.Settings))
            .WaitForAssignmentsAsync(TimeSpan.FromSeconds(45));
        var templates = FixtureTrades.All().GroupBy(t => t.Exchange).ToDictionary(g => g.Key, g => g.First());

        using var producer = TradePublisher.Producer();
        var publishedAt = new List<(TimeSpan At, int PerExchange)>();
        var late = new List<string>();
        var clock = Stopwatch.StartNew();
        var nextCheck = AllowedLag;
        for (var tick = 1; clock.Elapsed < StreamFor; tick++)
        {
            foreach (var (exchange, template) in templates)
            {
                for (var i = 0; i < TradesPerTick; i++)
                {
                    producer.Produce(hotTier.Settings.Topic(exchange), TradePublisher.Message(template with { TradeId = $"stream-{tick}-{i}" }));
                }
            }

            producer.Flush(TimeSpan.FromSeconds(10));
            publishedAt.Add((clock.Elapsed, tick * TradesPerTick));
            if (clock.Elapsed >= nextCheck)
            {
                var due = publishedAt.LastOrDefault(p => p.At <= clock.Elapsed - AllowedLag).PerExchange;
                foreach (var exchange in templates.Keys)
                {
                    var inBronze = await hotTier.CountAsync(HotTierMigrations.BronzeTable(exchange));
                    if (inBronze < due) { late.Add($"{exchange.ToWire()} at {clock.Elapsed.TotalSeconds:F0} s: {inBronze} of the {due} trades published {AllowedLag.TotalSeconds} s earlier"); }
                }

                nextCheck += TimeSpan.FromSeconds(1);
            }

            await Task.Delay(Tick);
        }

        late.Should().BeEmpty("every exchange's queue table needs a consumer thread of its own");
        var total = publishedAt[^1].PerExchange;
        foreach (var exchange in templates.Keys)
        {
            await Eventually.Holds(async () => await hotTier.CountAsync(HotTierMigrations.BronzeTable(exchange)) == total, TimeSpan.FromSeconds(45), $"all {total} {exchange.ToWire()} trades in bronze");
        }
    }
}
