using K2.Core.Trades;
using K2.Exchanges.Pipeline;

namespace K2.Tests.Exchanges;

public sealed class TradeLedgerTests
{
    [Test]
    public void Duplicates_are_rejected_per_symbol()
    {
        var ledger = new TradeLedger(Exchange.Kraken);
        ledger.Accept("BTC/USD", 1, 0, 0).Should().BeTrue();
        ledger.Accept("BTC/USD", 1, 0, 0).Should().BeFalse();
        ledger.Accept("ETH/USD", 1, 0, 0).Should().BeTrue("the same id of another symbol is another trade");
    }

    [Test]
    public void A_jump_opens_a_gap_that_late_ids_fill()
    {
        var ledger = new TradeLedger(Exchange.Binance);
        var changes = new List<(long, GapStatus)>();
        ledger.GapChanged += gap => changes.Add((gap.FirstMissing, gap.Status));
        ledger.Accept("BTCUSDT", 10, 100, 0);
        ledger.Accept("BTCUSDT", 14, 140, 0);

        var gap = ledger.OpenGaps().Single();
        (gap.FirstMissing, gap.LastMissing, gap.Remaining, gap.BeforeTimestampUs, gap.AfterTimestampUs).Should().Be((11L, 13L, 3L, 100L, 140L));

        ledger.Accept("BTCUSDT", 12, 120, 5).Should().BeTrue();
        ledger.Accept("BTCUSDT", 12, 120, 5).Should().BeFalse();
        ledger.Accept("BTCUSDT", 11, 110, 6).Should().BeTrue();
        ledger.OpenGaps().Should().ContainSingle();
        ledger.Accept("BTCUSDT", 13, 130, 7).Should().BeTrue();

        ledger.OpenGaps().Should().BeEmpty();
        changes.Should().Equal((11L, GapStatus.Open), (11L, GapStatus.Filled));
        ledger.RecentGaps().Single().ClosedAtUs.Should().Be(7);
    }

    [Test]
    public void Memory_is_bounded_and_forgotten_old_ids_count_as_duplicates()
    {
        var ledger = new TradeLedger(Exchange.Coinbase, windowPerSymbol: 16);
        for (var id = 1; id <= 1000; id++) { ledger.Accept("BTC-USD", id, id, 0).Should().BeTrue(); }

        ledger.Accept("BTC-USD", 5, 5, 0).Should().BeFalse("an id below the window was seen and forgotten");
        ledger.Accept("BTC-USD", 995, 995, 0).Should().BeFalse("an id in the window is remembered");
        ledger.Accept("BTC-USD", 1001, 1001, 0).Should().BeTrue();
    }

    [Test]
    public void A_symbol_s_window_is_allocated_on_its_first_trade_and_never_grows()
    {
        var ledger = new TradeLedger(Exchange.Binance, windowPerSymbol: 4096);
        ledger.Accept("BTCUSDT", 0, 0, 0);

        var accepted = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var id = 1; id <= 3 * 4096; id++) { accepted += ledger.Accept("BTCUSDT", id, id, 0) ? 1 : 0; }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        accepted.Should().Be(3 * 4096);
        allocated.Should().Be(0, "filling and sliding the window must not reallocate it");
        ledger.Accept("BTCUSDT", 3 * 4096, 0, 0).Should().BeFalse();
    }

    [Test]
    public void Ids_older_than_the_first_seen_are_accepted_once_without_opening_a_gap()
    {
        var ledger = new TradeLedger(Exchange.Coinbase);
        ledger.Accept("BTC-USD", 100, 0, 0);
        ledger.Accept("BTC-USD", 98, 0, 0).Should().BeTrue("a snapshot may arrive after the first update");
        ledger.Accept("BTC-USD", 98, 0, 0).Should().BeFalse();
        ledger.OpenGaps().Should().BeEmpty();
    }

    [Test]
    public void Too_many_open_gaps_declare_the_oldest_lost()
    {
        var ledger = new TradeLedger(Exchange.Binance, maxOpenGapsPerSymbol: 2);
        foreach (var id in new long[] { 1, 3, 5, 7 }) { ledger.Accept("BTCUSDT", id, 0, 0); }

        ledger.OpenGaps().Select(g => g.FirstMissing).Should().Equal(4, 6);
        ledger.RecentGaps().Single(g => g.FirstMissing == 2).Status.Should().Be(GapStatus.Lost);
    }
}
