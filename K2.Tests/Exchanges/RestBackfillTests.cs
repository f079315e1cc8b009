using K2.Core.Trades;
using K2.Exchanges;
using K2.Exchanges.Kraken;
using K2.Exchanges.Pipeline;
using K2.Tests.Exchanges.Fakes;
using K2.Tests.Support;

namespace K2.Tests.Exchanges;

[Parallelizable(ParallelScope.All)]
public sealed class RestBackfillTests
{
    /// <summary>Where each exchange's fixture is cut (frame index, frames missed) so that REST has to recover trades.</summary>
    private static (int At, int Missed) Drop(Exchange exchange) => exchange == Exchange.Binance ? (20, 6) : (12, 4);

    [TestCase(Exchange.Binance)]
    [TestCase(Exchange.Kraken)]
    [TestCase(Exchange.Coinbase)]
    public async Task A_bad_rest_row_is_dead_lettered_with_its_reason_like_a_bad_frame_and_the_rest_is_recovered(Exchange exchange)
    {
        var (at, missed) = Drop(exchange);
        var lines = FixtureTrades.Lines(exchange);
        var victim = lines.Skip(at).Take(missed).SelectMany(line => FixtureTrades.OfLine(exchange, line)).First();
        var badRow = BadRow(exchange, victim);
        var fake = IngestorHarness.FakeFor(exchange);
        fake.SnapshotTrades = 0;
        fake.ServeRestRow(victim.Symbol, long.Parse(victim.TradeId, System.Globalization.CultureInfo.InvariantCulture), badRow);
        var sink = new CollectingSink();
        var before = lines.Take(at).Sum(line => FixtureTrades.OfLine(exchange, line).Count);
        fake.DropAt(at, missed, () => Eventually.Holds(() => sink.Trades.Count >= before, TimeSpan.FromSeconds(15), "the client read the frames before the drop"));
        var expected = FixtureTrades.Of(exchange).Where(t => t != victim).ToArray();
        await using var harness = await IngestorHarness.StartAsync(exchange, fake, o =>
        {
            if (o is KrakenOptions kraken) { kraken.Snapshot = false; }
        }, sink: sink);

        await harness.WaitForTradesAsync(expected.Length);
        await Eventually.Holds(() => harness.Ingestor.Gaps().Count > 0 && harness.Ingestor.Gaps().All(g => g.Status != GapStatus.Open), TimeSpan.FromSeconds(15), () => $"every gap is closed ({string.Join("; ", harness.Ingestor.Gaps())})");

        FixtureTrades.ShouldMatch(harness.Sink.Trades, exchange, expected, inIdOrder: false);
        var letter = harness.Sink.DeadLetters.Should().ContainSingle().Subject;
        letter.Exchange.Should().Be(exchange);
        letter.Reason.Should().StartWith("non_positive: ").And.Contain("-0.5");
        letter.RawText.Should().Be(badRow, "the row is set aside as the exchange sent it");
        letter.ReceiveTimestampUs.Should().BePositive();
        harness.Ingestor.Gaps().Should().ContainSingle(g => g.Status == GapStatus.Lost && g.Remaining == 1,
            "the rejected trade exists but was not ingested: lost, never absent, even on an exchange that skips ids");
    }

    [TestCase(Exchange.Binance)]
    [TestCase(Exchange.Kraken)]
    [TestCase(Exchange.Coinbase)]
    public async Task A_gap_of_5000_trades_is_paged_through_over_rest_until_it_is_closed(Exchange exchange)
    {
        var (market, harness) = await StartLiveAsync(exchange, o => o.For(exchange).RestRequestIntervalMilliseconds = 200);
        await using var _ = harness;
        market.Trade(100);
        await WaitForAsync(harness, market.Made);

        await CutOffAsync(market, 5_000);
        market.Trade(100);

        await WaitForAsync(harness, market.Made);
        ShouldHoldExactly(harness.Sink.Trades, market.Made);
        await Eventually.Holds(() => harness.Ingestor.Gaps().Count > 0 && harness.Ingestor.Gaps().All(g => g.Status == GapStatus.Filled), TimeSpan.FromSeconds(15), () => $"the gap is filled ({string.Join("; ", harness.Ingestor.Gaps())})");
        var gap = harness.Ingestor.Gaps().Should().ContainSingle().Subject;
        gap.Size.Should().BeGreaterThanOrEqualTo(5_000 - harness.Fake.SnapshotTrades, "the reconnect snapshot, if any, holds only the newest trades");
        var pages = TradePages(harness.Fake);
        pages.Should().HaveCountGreaterThanOrEqualTo(5, "no answer holds more than 1000 trades");
        pages.Should().OnlyContain(r => r.Status == 200);
        // Arrival times carry the server's queueing on a loaded machine, so the pace is judged over the whole walk.
        (pages[^1].AtUtc - pages[0].AtUtc).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(200 * (pages.Length - 2)), "requests keep the exchange's pace (200 ms here)");
    }

    [TestCase(Exchange.Binance)]
    [TestCase(Exchange.Kraken)]
    [TestCase(Exchange.Coinbase)]
    public async Task A_429_answer_holds_every_request_back_for_its_Retry_After_and_the_gap_still_closes(Exchange exchange)
    {
        var (market, harness) = await StartLiveAsync(exchange);
        await using var _ = harness;
        var rateLimitedBefore = ExchangeMetricValue(exchange, "rate_limited");
        market.Trade(50);
        await WaitForAsync(harness, market.Made);
        harness.Fake.RateLimitEvery(2, retryAfterSeconds: 1);

        await CutOffAsync(market, 2_500);
        market.Trade(50);

        await WaitForAsync(harness, market.Made, TimeSpan.FromSeconds(40));
        ShouldHoldExactly(harness.Sink.Trades, market.Made);
        var requests = harness.Fake.RestRequests.ToArray();
        var limited = requests.Where(r => r.Status == 429).ToArray();
        limited.Should().NotBeEmpty();
        foreach (var answer in limited)
        {
            var next = requests.FirstOrDefault(r => r.AtUtc > answer.AtUtc);
            if (next == default) { continue; }
            (next.AtUtc - answer.AtUtc).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950), $"nothing is asked before the Retry-After of the 429 to {answer.Request} has passed");
        }

        ExchangeMetricValue(exchange, "rate_limited").Should().BeGreaterThanOrEqualTo(rateLimitedBefore + limited.Length);
    }

    [TestCase(Exchange.Binance)]
    [TestCase(Exchange.Kraken)]
    [TestCase(Exchange.Coinbase)]
    public async Task Trades_older_than_the_backfill_horizon_are_not_fetched_and_are_counted_lost(Exchange exchange)
    {
        var (market, harness) = await StartLiveAsync(exchange, o => o.Resume.MaxAgeMinutes = 1);
        await using var _ = harness;
        var symbol = market.Symbols[0];
        var lostBefore = ExchangeMetrics.LostTrades.WithLabels(exchange.ToWire(), symbol).Value;
        market.SkipTo(DateTimeOffset.UtcNow.AddMinutes(-3));
        market.Trade(100);
        await WaitForAsync(harness, market.Made);

        harness.Fake.CutOff();
        var old = market.Trade(600);
        market.SkipTo(DateTimeOffset.UtcNow.AddSeconds(-20));
        var recent = market.Trade(600);
        await harness.Fake.WaitUntilPublishedAsync();
        harness.Fake.RefuseConnections = false;
        await harness.Fake.WaitForSubscriberAsync(market.Symbols);
        var after = market.Trade(20);

        await WaitForAsync(harness, [.. market.Made.Take(100), .. recent, .. after]);
        await Eventually.Holds(() => harness.Ingestor.Gaps().Count > 0 && harness.Ingestor.Gaps().All(g => g.Status != GapStatus.Open), TimeSpan.FromSeconds(15), () => $"the gap is closed ({string.Join("; ", harness.Ingestor.Gaps())})");
        ShouldHoldExactly(harness.Sink.Trades, [.. market.Made.Take(100), .. recent, .. after]);
        harness.Sink.Trades.Should().NotContain(t => old.Any(o => o.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) == t.TradeId), "trades older than the horizon are not fetched");
        var gap = harness.Ingestor.Gaps().Should().ContainSingle().Subject;
        gap.Status.Should().Be(GapStatus.Lost);
        gap.Remaining.Should().Be(old.Count);
        ExchangeMetrics.LostTrades.WithLabels(exchange.ToWire(), symbol).Value.Should().Be(lostBefore + old.Count);
    }

    /// <summary>A live exchange trading one symbol (no reconnect snapshot), and an ingestor on it.</summary>
    private static async Task<(LiveMarket Market, IngestorHarness Harness)> StartLiveAsync(Exchange exchange, Action<K2.Exchanges.ExchangesOptions>? configure = null)
    {
        var (wire, listed) = IngestorHarness.BitcoinOf(exchange);
        var fake = IngestorHarness.LiveFakeFor(exchange, [wire]);
        fake.SnapshotTrades = 0;
        var harness = await IngestorHarness.StartAsync(exchange, fake, symbols: [listed], configureAll: configure);
        await fake.WaitForSubscriberAsync([wire]);
        return (new LiveMarket(fake, [wire]), harness);
    }

    /// <summary>The exchange becomes unreachable, trades <paramref name="count"/> trades nobody receives, then accepts connections again.</summary>
    private static async Task CutOffAsync(LiveMarket market, int count)
    {
        market.Exchange.CutOff();
        market.Trade(count);
        await market.Exchange.WaitUntilPublishedAsync();
        market.Exchange.RefuseConnections = false;
        await market.Exchange.WaitForSubscriberAsync(market.Symbols);
    }

    private static Task WaitForAsync(IngestorHarness harness, IReadOnlyCollection<MadeTrade> trades, TimeSpan? timeout = null) =>
        Eventually.Holds(() => harness.Sink.Trades.Count >= trades.Count, timeout ?? TimeSpan.FromSeconds(30), () => $"{trades.Count} trades arrived (have {harness.Sink.Trades.Count})");

    /// <summary>Exactly the trades made — each once, every field as the exchange printed it.</summary>
    private static void ShouldHoldExactly(IReadOnlyList<NormalizedTrade> actual, IEnumerable<MadeTrade> made)
    {
        actual.Select(t => (t.Symbol, t.TradeId)).Should().OnlyHaveUniqueItems();
        actual.Select(t => (t.Symbol, Id: long.Parse(t.TradeId, System.Globalization.CultureInfo.InvariantCulture), t.Price, t.Quantity, t.ExchangeTimestampUs, t.Side))
            .OrderBy(t => t.Symbol, StringComparer.Ordinal).ThenBy(t => t.Id)
            .Should().Equal(made.Select(t => (t.Symbol, t.Id, t.Price, t.Quantity, t.TimeUs, t.Side)).OrderBy(t => t.Symbol, StringComparer.Ordinal).ThenBy(t => t.Id));
    }

    /// <summary>The REST requests for trades (not the Binance lookup of where the horizon is).</summary>
    private static (DateTime AtUtc, string Request, int Status)[] TradePages(FakeExchangeServer fake) =>
        fake.RestRequests.Where(r => !r.Request.Contains("aggTrades", StringComparison.Ordinal)).ToArray();

    private static double ExchangeMetricValue(Exchange exchange, string result) => ExchangeMetrics.RestRequests.WithLabels(exchange.ToWire(), result).Value;

    private static string BadRow(Exchange exchange, FixtureTrades.Expected trade) => exchange switch
    {
        Exchange.Binance => $"{{\"id\":{trade.TradeId},\"price\":\"1.5\",\"qty\":\"-0.5\",\"quoteQty\":\"0\",\"time\":{trade.ExchangeTimestampUs / 1000},\"isBuyerMaker\":true,\"isBestMatch\":true}}",
        Exchange.Kraken => $"[\"1.5\",\"-0.5\",{trade.ExchangeTimestampUs / 1_000_000}.{trade.ExchangeTimestampUs % 1_000_000:D6},\"b\",\"l\",\"\",{trade.TradeId}]",
        _ => $"{{\"trade_id\":\"{trade.TradeId}\",\"product_id\":\"{trade.Symbol}\",\"price\":\"1.5\",\"size\":\"-0.5\",\"side\":\"SELL\",\"time\":\"2026-02-17T14:30:00.5Z\"}}",
    };
}
