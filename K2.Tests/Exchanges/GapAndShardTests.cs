using K2.Core.Trades;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;
using K2.Exchanges.Sessions;
using K2.Instruments;
using K2.Tests.Support;

namespace K2.Tests.Exchanges;

[Parallelizable(ParallelScope.All)]
public sealed class GapAndShardTests
{
    [Test]
    public async Task Kraken_id_gaps_are_verified_over_rest_and_closed_as_absent_not_lost()
    {
        var lines = FixtureTrades.Lines(Exchange.Kraken);
        var skipped = Array.FindIndex(lines, l => l.Contains("\"trade_id\":61442311", StringComparison.Ordinal));
        var timeline = lines.Where((_, i) => i != skipped).ToArray();
        var expected = FixtureTrades.Of(Exchange.Kraken).Where(t => t.TradeId != "61442311").ToArray();
        await using var harness = await IngestorHarness.StartAsync(Exchange.Kraken, IngestorHarness.FakeFor(Exchange.Kraken, timeline));
        await harness.WaitForTradesAsync(expected.Length);

        await Eventually.Holds(() => harness.Ingestor.Gaps().Count > 0 && harness.Ingestor.Gaps().All(g => g.Status != GapStatus.Open), TimeSpan.FromSeconds(15), () => $"every Kraken gap was verified ({string.Join("; ", harness.Ingestor.Gaps())})");

        harness.Ingestor.Gaps().Should().ContainSingle().Which.Should().Match<Gap>(g =>
            g.Symbol == "ETH/USD" && g.FirstMissing == 61442311 && g.LastMissing == 61442311 && g.Status == GapStatus.Absent,
            "the exchange's REST trades reach past the id without it: the WebSocket skipped an id that was never printed");
        FixtureTrades.ShouldMatch(harness.Sink.Trades, Exchange.Kraken, expected);
        using var board = new K2.Exchanges.ExchangesStatus([harness.Ingestor], TimeProvider.System);
        var row = board.Snapshot().Rows.Single();
        row.Take(3).Should().Equal("kraken", "1 connection(s) streaming", "3");
        row[4].Should().MatchRegex(@"^\d+\.\ds$", "the last trade's age");
        row.Skip(5).Should().Equal("0", "0", "1", "0");

        var feeds = board.Feeds();
        feeds.Select(f => (f.Symbol, f.CanonicalSymbol)).Should().BeEquivalentTo([("BTC/USD", "BTC/USD"), ("ETH/USD", "ETH/USD"), ("SOL/USD", "SOL/USD")]);
        feeds.Should().OnlyContain(f => f.Exchange == "kraken" && f.Connected && f.LastTradeAt != null, "every symbol's connection streams and has traded");
        feeds.Single(f => f.Symbol == "ETH/USD").GapsAbsent.Should().Be(1, "the console shows the gap on its own symbol");
        feeds.Where(f => f.Symbol != "ETH/USD").Should().OnlyContain(f => f.GapsOpen + f.GapsFilled + f.GapsAbsent + f.GapsLost == 0);
    }

    [Test]
    public async Task Coinbase_sequence_hole_is_detected_and_the_snapshot_after_reconnect_loses_nothing()
    {
        var fake = IngestorHarness.FakeFor(Exchange.Coinbase);
        fake.LoseMessageAt(20);
        var before = K2.Exchanges.ExchangeMetrics.SequenceDrops.WithLabels("coinbase").Value;
        var reconnectsBefore = K2.Exchanges.ExchangeMetrics.Reconnects.WithLabels("coinbase", "sequence_gap").Value;
        var expected = FixtureTrades.Of(Exchange.Coinbase);
        await using var harness = await IngestorHarness.StartAsync(Exchange.Coinbase, fake);

        await harness.WaitForTradesAsync(expected.Count);

        K2.Exchanges.ExchangeMetrics.SequenceDrops.WithLabels("coinbase").Value.Should().BeGreaterThan(before);
        fake.ConnectionsAccepted.Should().BeGreaterThanOrEqualTo(2);
        K2.Exchanges.ExchangeMetrics.Reconnects.WithLabels("coinbase", "sequence_gap").Value.Should().BeGreaterThan(reconnectsBefore, "a hole in sequence_num makes the session reconnect for a fresh snapshot");
        FixtureTrades.ShouldMatch(harness.Sink.Trades, Exchange.Coinbase, expected);
    }

    [Test]
    public async Task Binance_splits_streams_across_connections_at_the_per_connection_limit()
    {
        var fake = IngestorHarness.FakeFor(Exchange.Binance);
        var expected = FixtureTrades.Of(Exchange.Binance);
        await using var harness = await IngestorHarness.StartAsync(Exchange.Binance, fake, o => ((K2.Exchanges.Binance.BinanceOptions)o).StreamsPerConnection = 2);

        await harness.WaitForTradesAsync(expected.Count);

        fake.ConnectionsAccepted.Should().Be(2);
        harness.Ingestor.Groups.Select(g => g.Count).Should().Equal(2, 1);
        FixtureTrades.ShouldMatch(harness.Sink.Trades, Exchange.Binance, expected);
    }

    [Test]
    public async Task Instrument_reload_subscribes_and_unsubscribes_on_the_live_connection()
    {
        var fake = IngestorHarness.FakeFor(Exchange.Kraken);
        fake.WaitForSubscribers = false;
        await using var harness = await IngestorHarness.StartAsync(Exchange.Kraken, fake, symbols: ["XBT/USD", "ETH/USD"]);
        await harness.WaitForTradesAsync(FixtureTrades.Of(Exchange.Kraken).Count(t => t.Symbol != "SOL/USD"));

        await File.WriteAllTextAsync(harness.InstrumentsPath, IngestorHarness.InstrumentsYaml(Exchange.Kraken, ["XBT/USD", "SOL/USD"]));
        harness.Registry.Reload().Should().NotBeNull("the registry notifies the ingestor of the change");

        await Eventually.Holds(() => harness.Fake.ClientMessages.Any(m => m.Contains("\"unsubscribe\"", StringComparison.Ordinal) && m.Contains("ETH/USD", StringComparison.Ordinal)), TimeSpan.FromSeconds(15), "ETH/USD was unsubscribed");
        await Eventually.Holds(() => harness.Fake.ClientMessages.Count(m => m.Contains("\"subscribe\"", StringComparison.Ordinal)) == 2, TimeSpan.FromSeconds(15), () => $"SOL/USD was subscribed: {string.Join(" | ", harness.Fake.ClientMessages)}");
        harness.Fake.ClientMessages.Last(m => m.Contains("\"subscribe\"", StringComparison.Ordinal)).Should().Contain("SOL/USD").And.NotContain("XBT").And.NotContain("BTC/USD");
        fake.ConnectionsAccepted.Should().Be(1, "the other symbols' stream was not dropped");
        harness.Ingestor.Groups.Single().Select(s => s.Wire).Should().BeEquivalentTo("BTC/USD", "SOL/USD");
    }

    [Test]
    public void Shards_split_the_instruments_into_disjoint_parts_that_cover_them_all()
    {
        var set = InstrumentsFileParser.ParseFile(Path.Combine(K2.Tests.Support.TestPaths.RepoRoot, "instruments.yaml"));
        foreach (var exchange in ExchangeNames.All)
        {
            var symbols = SymbolTable.From(new K2.Exchanges.ExchangesOptions().Adapter(exchange), set).All;
            var parts = Enumerable.Range(0, 3).Select(i => symbols.Where(s => ShardFilter.Owns(s, i, 3)).Select(s => s.Wire).ToArray()).ToArray();

            parts.SelectMany(p => p).Should().BeEquivalentTo(symbols.Select(s => s.Wire)).And.OnlyHaveUniqueItems();
            parts.Should().OnlyContain(p => p.Length > 0, "each of three daemons gets work");
            parts[0].Should().Equal(symbols.Reverse().Where(s => ShardFilter.Owns(s, 0, 3)).Select(s => s.Wire).Reverse(), "ownership does not depend on file order");
        }
    }
}
