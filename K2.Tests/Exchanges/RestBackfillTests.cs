using K2.Core.Trades;
using K2.Exchanges.Kraken;
using K2.Exchanges.Pipeline;
using K2.Tests.Exchanges.Fakes;

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
        fake.DropAt(at, missed, () => Eventually.HoldsAsync(() => sink.Trades.Count >= before, "the client read the frames before the drop"));
        var expected = FixtureTrades.Of(exchange).Where(t => t != victim).ToArray();
        await using var harness = await IngestorHarness.StartAsync(exchange, fake, o =>
        {
            if (o is KrakenOptions kraken) { kraken.Snapshot = false; }
        }, sink: sink);

        await harness.WaitForTradesAsync(expected.Length);
        await Eventually.HoldsAsync(() => harness.Ingestor.Gaps().Count > 0 && harness.Ingestor.Gaps().All(g => g.Status != GapStatus.Open), () => $"every gap is closed ({string.Join("; ", harness.Ingestor.Gaps())})");

        FixtureTrades.ShouldMatch(harness.Sink.Trades, exchange, expected, inIdOrder: false);
        var letter = harness.Sink.DeadLetters.Should().ContainSingle().Subject;
        letter.Exchange.Should().Be(exchange);
        letter.Reason.Should().StartWith("non_positive: ").And.Contain("-0.5");
        letter.RawText.Should().Be(badRow, "the row is set aside as the exchange sent it");
        letter.ReceiveTimestampUs.Should().BePositive();
        harness.Ingestor.Gaps().Should().ContainSingle(g => g.Status == GapStatus.Lost && g.Remaining == 1,
            "the rejected trade exists but was not ingested: lost, never absent, even on an exchange that skips ids");
    }

    private static string BadRow(Exchange exchange, FixtureTrades.Expected trade) => exchange switch
    {
        Exchange.Binance => $"{{\"id\":{trade.TradeId},\"price\":\"1.5\",\"qty\":\"-0.5\",\"quoteQty\":\"0\",\"time\":{trade.ExchangeTimestampUs / 1000},\"isBuyerMaker\":true,\"isBestMatch\":true}}",
        Exchange.Kraken => $"[\"1.5\",\"-0.5\",{trade.ExchangeTimestampUs / 1_000_000}.{trade.ExchangeTimestampUs % 1_000_000:D6},\"b\",\"l\",\"\",{trade.TradeId}]",
        _ => $"{{\"trade_id\":\"{trade.TradeId}\",\"product_id\":\"{trade.Symbol}\",\"price\":\"1.5\",\"size\":\"-0.5\",\"side\":\"SELL\",\"time\":\"2026-02-17T14:30:00.5Z\"}}",
    };
}
