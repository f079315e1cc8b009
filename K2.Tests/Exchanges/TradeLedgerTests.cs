using System.Runtime.CompilerServices;
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
        // The same run on another ledger first, so that compiling the code on this thread is not counted.
        var warmUp = new TradeLedger(Exchange.Binance, windowPerSymbol: 4096);
        warmUp.Accept("BTCUSDT", 0, 0, 0);
        FillAndSlide(warmUp);

        var ledger = new TradeLedger(Exchange.Binance, windowPerSymbol: 4096);
        ledger.Accept("BTCUSDT", 0, 0, 0);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var accepted = FillAndSlide(ledger);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        accepted.Should().Be(3 * 4096);
        allocated.Should().Be(0, "filling and sliding the window must not reallocate it");
        ledger.Accept("BTCUSDT", 3 * 4096, 0, 0).Should().BeFalse();
    }

    // Optimized from its first call: no on-stack replacement of the loop while it is measured.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int FillAndSlide(TradeLedger ledger)
    {
        var accepted = 0;
        for (var id = 1; id <= 3 * 4096; id++) { accepted += ledger.Accept("BTCUSDT", id, id, 0) ? 1 : 0; }
        return accepted;
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
    public void A_resumed_symbol_drops_ids_up_to_its_resume_point_and_opens_the_gap_after_it()
    {
        var ledger = new TradeLedger(Exchange.Binance);
        ledger.Resume("BTCUSDT", 100, 1_000);

        ledger.Accept("BTCUSDT", 100, 1_000, 5).Should().BeFalse("the resume point is stored already");
        ledger.Accept("BTCUSDT", 60, 600, 5).Should().BeFalse("so is everything before it");
        ledger.Accept("BTCUSDT", 150, 1_500, 7).Should().BeTrue();

        var gap = ledger.OpenGaps().Single();
        (gap.FirstMissing, gap.LastMissing, gap.BeforeTimestampUs, gap.AfterTimestampUs).Should().Be((101L, 149L, 1_000L, 1_500L), "the gap is the trades made while the daemon was down");
        ledger.Accept("ETHUSDT", 7, 0, 0).Should().BeTrue("a symbol without a resume point starts fresh");
    }

    [Test]
    public void A_hole_below_the_resume_point_reopens_as_a_gap_that_fills_once()
    {
        var ledger = new TradeLedger(Exchange.Binance);
        ledger.Resume("BTCUSDT", 100, 1_000);
        ledger.ReopenGap("BTCUSDT", 40, 49, 390, 500, 9);
        ledger.ReopenGap("BTCUSDT", 95, 120, 950, 1_200, 9);
        ledger.ReopenGap("ETHUSDT", 1, 2, 0, 0, 9);

        var gap = ledger.OpenGaps().Should().ContainSingle("a hole reaching past the resume point, or of a symbol not resumed, is not one").Subject;
        (gap.FirstMissing, gap.LastMissing, gap.BeforeTimestampUs, gap.AfterTimestampUs, gap.OpenedAtUs).Should().Be((40L, 49L, 390L, 500L, 9L));
        for (var id = 40; id <= 49; id++) { ledger.Accept("BTCUSDT", id, 0, 10).Should().BeTrue(); }
        ledger.Accept("BTCUSDT", 45, 0, 10).Should().BeFalse();
        ledger.Accept("BTCUSDT", 50, 0, 10).Should().BeFalse("next to the hole, the ids are stored");
        ledger.RecentGaps().Single().Status.Should().Be(GapStatus.Filled);
    }

    [Test]
    public void A_resume_point_does_not_move_a_symbol_already_tracked()
    {
        var ledger = new TradeLedger(Exchange.Binance);
        ledger.Accept("BTCUSDT", 200, 2_000, 0);
        ledger.Resume("BTCUSDT", 100, 1_000);

        ledger.Accept("BTCUSDT", 150, 1_500, 0).Should().BeTrue("150 is below the first id seen, not below a resume point");
        ledger.OpenGaps().Should().BeEmpty();
    }

    [Test]
    public void A_gap_larger_than_the_dedup_window_fills_each_id_once()
    {
        var ledger = new TradeLedger(Exchange.Binance, windowPerSymbol: 16);
        ledger.Accept("BTCUSDT", 1, 0, 0);
        ledger.Accept("BTCUSDT", 1_002, 0, 0);
        for (var id = 2; id <= 1_001; id++) { ledger.Accept("BTCUSDT", id, 0, 0).Should().BeTrue(); }

        ledger.OpenGaps().Should().BeEmpty();
        ledger.RecentGaps().Single().Status.Should().Be(GapStatus.Filled);
        ledger.Accept("BTCUSDT", 500, 0, 0).Should().BeFalse("an id of the closed gap is a duplicate, though the window forgot it");

        ledger.Accept("BTCUSDT", 3_000, 0, 0);
        var gap = ledger.OpenGaps().Single();
        for (var id = 1_003; id <= 1_500; id++) { ledger.Accept("BTCUSDT", id, 0, 0).Should().BeTrue(); }
        for (var id = 1_003; id <= 1_500; id++) { ledger.Accept("BTCUSDT", id, 0, 0).Should().BeFalse($"{id} arrived already (a REST page asked for twice)"); }
        gap.Remaining.Should().Be(2_999 - 1_500);
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
