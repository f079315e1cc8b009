using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using K2.ClickHouse.Health;
using K2.ClickHouse.Schema;
using K2.Core.Time;
using K2.Core.Trades;
using K2.Tests.ClickHouse;
using K2.Tests.Kafka;
using K2.Tests.Offload;
using K2.Tests.Support;

namespace K2.Tests.Query;

/// <summary>
/// The live stream over the Kafka mock cluster and ClickHouse's Kafka engine: with <c>from=</c> it replays stored trades
/// and then sends live ones, with no gap and no duplicate at the seam, while trades keep arriving during the replay.
/// </summary>
[NonParallelizable]
public sealed class LiveStreamTests
{
    private QueryApi _api = null!;
    private long _trade = 50_000;

    [OneTimeSetUp]
    public async Task StartWithKafkaConsumers()
    {
        var rig = await OffloadRig.StartAsync(beforeSchema: hot =>
        {
            foreach (var exchange in ExchangeNames.All) { EmbeddedKafka.Cluster.CreateTopic(hot.Settings.Topic(exchange), partitions: 2); }
        });
        _api = await QueryApi.StartAsync(rig: rig);
        await new ConsumerHealth(HotTier.Gateway, rig.Hot.Settings, HotTier.Lag(rig.Hot.Settings))
            .WaitForAssignmentsAsync(TimeSpan.FromSeconds(60));
    }

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    private List<NormalizedTrade> NewTrades(int perExchange, long first, string canonical = "BTC/USDT") =>
        [.. from exchange in ExchangeNames.All
            from i in Enumerable.Range(0, perExchange)
            let number = Interlocked.Increment(ref _trade)
            select new NormalizedTrade(exchange, QueryTrades.Native(exchange, canonical), canonical, number.ToString(CultureInfo.InvariantCulture),
                100 + (number % 50) + 0.125m, 0.5m, number % 2 == 0 ? TradeSide.Buy : TradeSide.Sell, first + (i * 1_000_000L), UnixMicros.Now(TimeProvider.System), default)];

    private async Task PublishAsync(IEnumerable<NormalizedTrade> trades)
    {
        foreach (var exchange in ExchangeNames.All) { await TradePublisher.PublishAsync(_api.Rig.Hot.Settings.Topic(exchange), trades.Where(t => t.Exchange == exchange)); }
    }

    private async Task WaitStoredAsync(int count) => await Eventually.Holds(
        async () => await _api.Rig.Hot.CountAsync(HotTierMigrations.SilverTable) >= count, TimeSpan.FromSeconds(90), $"{count} trades in silver");

    [Test]
    public async Task With_from_stored_trades_then_live_ones_arrive_without_gap_or_duplicate_at_the_seam()
    {
        var start = UnixMicros.Now(TimeProvider.System) - 30 * 60_000_000L;
        var stored = NewTrades(200, start);
        await PublishAsync(stored.Concat(NewTrades(20, start, "ETH/USDT")));
        await WaitStoredAsync(stored.Count + 60);

        var received = new ConcurrentQueue<JsonElement>();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var response = await _api.Http.GetAsync($"/v1/trades/live?symbol=BTC/USDT&from={QueryReads.Iso(start)}", HttpCompletionOption.ResponseHeadersRead, stop.Token);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        var reader = Task.Run(async () =>
        {
            using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
            while (await lines.ReadLineAsync(stop.Token) is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal)) { received.Enqueue(JsonDocument.Parse(line[6..]).RootElement.Clone()); }
            }
        });

        // Trades keep arriving while the stored ones are replayed; one stored trade is published again at a new offset.
        var live = new List<NormalizedTrade>();
        for (var round = 0; round < 10; round++)
        {
            var batch = NewTrades(10, start + 600_000_000L + (round * 20_000_000L));
            live.AddRange(batch);
            await PublishAsync(batch);
        }

        await PublishAsync([stored[17]]);
        var sentinels = NewTrades(1, UnixMicros.Now(TimeProvider.System));
        await PublishAsync(sentinels);
        var expected = stored.Concat(live).Concat(sentinels).Select(t => (t.Exchange.ToWire(), t.TradeId)).ToList();
        await Eventually.Holds(() => sentinels.All(s => received.Any(r => r.GetProperty("trade_id").GetString() == s.TradeId)), TimeSpan.FromSeconds(120), "the sentinels after every other trade");
        await stop.CancelAsync();
        try { await reader; } catch (OperationCanceledException) { }

        var got = received.Select(r => (r.GetProperty("exchange").GetString()!, r.GetProperty("trade_id").GetString()!)).ToList();
        got.Should().OnlyHaveUniqueItems("no trade twice, at the seam or after");
        got.Should().BeEquivalentTo(expected, "every stored and live trade, none missing");
        received.Should().OnlyContain(r => r.GetProperty("canonical_symbol").GetString() == "BTC/USDT");
        var storedIds = stored.Select(t => t.TradeId).ToHashSet();
        received.Take(stored.Count).Should().OnlyContain(r => storedIds.Contains(r.GetProperty("trade_id").GetString()!), "stored trades come first, in time order");
        received.Select(r => r.GetProperty("tier").GetString()).Distinct().Should().Contain("live");
    }

    [Test]
    public async Task Without_from_a_websocket_gets_only_new_trades()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{_api.Options.Listen}/v1/trades/live?symbol=ETH/USDT&exchange=kraken"), CancellationToken.None);
        var fresh = NewTrades(5, UnixMicros.Now(TimeProvider.System), "ETH/USDT");
        await PublishAsync(fresh);
        var buffer = new byte[64 * 1024];
        var got = new List<string>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (got.Count < 5)
        {
            var result = await socket.ReceiveAsync(buffer, deadline.Token);
            using var trade = JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count));
            trade.RootElement.GetProperty("exchange").GetString().Should().Be("kraken");
            got.Add(trade.RootElement.GetProperty("trade_id").GetString()!);
        }

        got.Should().Equal(fresh.Where(t => t.Exchange == Exchange.Kraken).Select(t => t.TradeId));
    }
}
