using K2.Core.Trades;
using K2.Exchanges.Pipeline;
using K2.Tests.Exchanges.Fakes;
using K2.Tests.Support;

namespace K2.Tests.Exchanges;

[Parallelizable(ParallelScope.All)]
public sealed class LiveIngestionTests
{
    [TestCase(Exchange.Binance)]
    [TestCase(Exchange.Kraken)]
    [TestCase(Exchange.Coinbase)]
    public async Task Fixture_replayed_by_the_fake_exchange_yields_exactly_its_trades(Exchange exchange)
    {
        var expected = FixtureTrades.Of(exchange);
        await using var harness = await IngestorHarness.StartAsync(exchange, IngestorHarness.FakeFor(exchange));

        await harness.WaitForTradesAsync(expected.Count);

        FixtureTrades.ShouldMatch(harness.Sink.Trades, exchange, expected);
        harness.Sink.DeadLetters.Should().BeEmpty();
        harness.Fake.ConnectionsAccepted.Should().Be(1);
    }

    [Test]
    public async Task Kraken_subscribes_with_v2_names_and_an_explicit_snapshot()
    {
        await using var harness = await IngestorHarness.StartAsync(Exchange.Kraken, IngestorHarness.FakeFor(Exchange.Kraken));
        await harness.WaitForTradesAsync(FixtureTrades.Of(Exchange.Kraken).Count);

        var subscribe = harness.Fake.ClientMessages.Single(m => m.Contains("\"subscribe\"", StringComparison.Ordinal));
        subscribe.Should().Contain("\"BTC/USD\"").And.NotContain("XBT").And.Contain("\"snapshot\":true");
    }

    [Test]
    public async Task Binance_drop_mid_stream_reconnects_and_backfills_the_missed_ids_over_rest()
    {
        var fake = IngestorHarness.FakeFor(Exchange.Binance);
        var sink = new CollectingSink();
        fake.DropAt(20, missed: 6, () => Eventually.Holds(() => sink.Trades.Count >= 19, TimeSpan.FromSeconds(15), "the client read the frames before the drop"));
        var expected = FixtureTrades.Of(Exchange.Binance);
        await using var harness = await IngestorHarness.StartAsync(Exchange.Binance, fake, sink: sink);

        await harness.WaitForTradesAsync(expected.Count);

        FixtureTrades.ShouldMatch(harness.Sink.Trades, Exchange.Binance, expected, inIdOrder: false);
        fake.ConnectionsAccepted.Should().Be(2);
        await Eventually.Holds(() => harness.Ingestor.Gaps().Count > 0 && harness.Ingestor.Gaps().All(g => g.Status == GapStatus.Filled), TimeSpan.FromSeconds(15), "every gap is filled");
        harness.Ingestor.Gaps().Sum(g => g.LastMissing - g.FirstMissing + 1).Should().Be(6, "the six missed trades opened gaps");
    }

    [TestCase(Exchange.Kraken)]
    [TestCase(Exchange.Coinbase)]
    public async Task Drop_mid_stream_recovers_the_missed_trades_from_the_reconnect_snapshot(Exchange exchange)
    {
        var fake = IngestorHarness.FakeFor(exchange);
        var sink = new CollectingSink();
        var before = FixtureTrades.Lines(exchange).Take(12).Sum(line => FixtureTrades.OfLine(exchange, line).Count());
        fake.DropAt(12, missed: 4, () => Eventually.Holds(() => sink.Trades.Count >= before, TimeSpan.FromSeconds(15), "the client read the frames before the drop"));
        var expected = FixtureTrades.Of(exchange);
        await using var harness = await IngestorHarness.StartAsync(exchange, fake, o => o.BackfillEnabled = false, sink: sink);

        await harness.WaitForTradesAsync(expected.Count);

        FixtureTrades.ShouldMatch(harness.Sink.Trades, exchange, expected);
        fake.ConnectionsAccepted.Should().Be(2);
        harness.Sink.Trades.Should().Contain(t => t.Extras.IsSnapshot && t.ReceiveTimestampUs > harness.Sink.Trades[0].ReceiveTimestampUs, "the second connection's snapshot was used");
    }

    [Test]
    public async Task A_stalled_connection_trips_the_silence_watchdog_and_streaming_resumes()
    {
        var fake = IngestorHarness.FakeFor(Exchange.Kraken);
        fake.StallAt(20);
        var expected = FixtureTrades.Of(Exchange.Kraken);
        var silenceBefore = ReconnectsFor("kraken", "silence");
        await using var harness = await IngestorHarness.StartAsync(Exchange.Kraken, fake, o => o.SilenceTimeoutMilliseconds = 400);

        await harness.WaitForTradesAsync(expected.Count);

        FixtureTrades.ShouldMatch(harness.Sink.Trades, Exchange.Kraken, expected);
        fake.ConnectionsAccepted.Should().BeGreaterThanOrEqualTo(2);
        ReconnectsFor("kraken", "silence").Should().BeGreaterThan(silenceBefore);
    }

    [Test]
    public async Task Binance_rotation_on_serverShutdown_loses_and_duplicates_nothing()
    {
        var fake = IngestorHarness.FakeFor(Exchange.Binance);
        fake.ServerShutdownAt(25, FakeBinance.ShutdownFrame, closeAfterFrames: 15);
        var expected = FixtureTrades.Of(Exchange.Binance);
        await using var harness = await IngestorHarness.StartAsync(Exchange.Binance, fake);

        await harness.WaitForTradesAsync(expected.Count);

        FixtureTrades.ShouldMatch(harness.Sink.Trades, Exchange.Binance, expected);
        fake.ConnectionsAccepted.Should().Be(2);
        harness.Ingestor.Gaps().Should().BeEmpty("the new connection was streaming before the old one closed");
    }

    [Test]
    public async Task Binance_rate_limit_close_reconnects_and_loses_nothing()
    {
        var fake = IngestorHarness.FakeFor(Exchange.Binance);
        fake.RateLimitCloseAt(10);
        var expected = FixtureTrades.Of(Exchange.Binance);
        await using var harness = await IngestorHarness.StartAsync(Exchange.Binance, fake);

        await harness.WaitForTradesAsync(expected.Count);

        FixtureTrades.ShouldMatch(harness.Sink.Trades, Exchange.Binance, expected);
        fake.ConnectionsAccepted.Should().Be(2);
    }

    [TestCase(Exchange.Binance)]
    [TestCase(Exchange.Kraken)]
    [TestCase(Exchange.Coinbase)]
    public async Task Malformed_and_error_frames_are_dead_lettered_while_valid_frames_around_them_flow(Exchange exchange)
    {
        var fake = IngestorHarness.FakeFor(exchange);
        var bad = FixtureTrades.Malformed().Where(m => m.Exchange == exchange.ToWire()).Select(m => m.Raw).ToArray();
        for (var i = 0; i < bad.Length; i++) { fake.InjectAt(8 + i, bad[i]); }
        var expected = FixtureTrades.Of(exchange);
        await using var harness = await IngestorHarness.StartAsync(exchange, fake);

        await harness.WaitForTradesAsync(expected.Count);
        await Eventually.Holds(() => harness.Sink.DeadLetters.Count >= bad.Length, TimeSpan.FromSeconds(15), $"{bad.Length} dead letters arrived");

        FixtureTrades.ShouldMatch(harness.Sink.Trades, exchange, expected);
        harness.Sink.DeadLetters.Should().HaveCount(bad.Length);
        harness.Sink.DeadLetters.Should().OnlyContain(d => d.Exchange == exchange && d.Reason.Length > 0 && d.ReceiveTimestampUs > 0);
        harness.Sink.DeadLetters.Select(d => d.Reason.Split(':')[0]).Should().BeEquivalentTo(ParserTests.RejectReasonsOf(exchange, bad));
    }

    private static double ReconnectsFor(string exchange, string reason) =>
        K2.Exchanges.ExchangeMetrics.Reconnects.WithLabels(exchange, reason).Value;
}
