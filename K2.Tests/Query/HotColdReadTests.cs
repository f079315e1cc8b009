using K2.ClickHouse.Schema;
using K2.Core.Time;
using K2.Core.Trades;
using K2.Offload.Runs;
using K2.Tests.ClickHouse;

namespace K2.Tests.Query;

/// <summary>
/// Trades and candles read through the API across the hot/cold boundary equal what the fixture trades give, with no
/// duplicate and no gap: after offloads, with trades published again and redelivered, with a late trade whose window
/// is already cold, after hot TTL dropped offloaded rows, while offloads commit between pages and run in a loop.
/// </summary>
[NonParallelizable]
public sealed class HotColdReadTests
{
    private QueryApi _api = null!;
    private OffloadRunner _runner = null!;
    private long _day;

    [OneTimeSetUp]
    public async Task WriteTradesAndOffloadSome()
    {
        _api = await QueryApi.StartAsync(o => o.MaxPageRows = 100_000);
        _runner = _api.Rig.NewRunner();
        _day = UnixMicros.FromDateTimeOffset(new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-3), TimeSpan.Zero));
        await _api.Trades.InsertAsync(900, _day, 11_000_000);
        (await _runner.RunAsync()).Should().OnlyContain(r => r.Error == null);

        // Above the watermark now: the same ETH trades again at new offsets, redelivered messages, a late BTC trade in a cold window, recent trades.
        await _api.Trades.RepublishAsync("ETH/USDT", 15);
        await _api.Trades.RedeliverAsync("ETH/USDT", 15);
        await _api.Trades.InsertLateAsync(Exchange.Binance, "BTC/USDT", _day + 1_800_000_123);
        await _api.Trades.InsertAsync(300, UnixMicros.Now(TimeProvider.System) - 15 * 60_000_000L, 2_000_000);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _api.DisposeAsync();

    private long Now => UnixMicros.Now(TimeProvider.System) + 1;

    private async Task AssertAllTradesAsync(string canonical, int limit, Func<int, Task>? betweenPages = null)
    {
        var to = Now;
        var (trades, pages) = await QueryReads.AllTradesAsync(_api.Http, canonical, _day, to, limit, betweenPages: betweenPages);
        var expected = QueryReads.Expected(_api.Trades.All, canonical, _day, to);
        expected.Should().NotBeEmpty();
        trades.Select(t => (t.Exchange, t.TradeId)).Should().OnlyHaveUniqueItems("no trade twice");
        trades.Select(QueryReads.Comparable).Should().Equal(expected.Select(QueryReads.Comparable), "every trade once, in (time, exchange, id) order");
        pages.SkipLast(1).Where(count => count != limit).Should().BeEmpty("a page ends at its limit-th trade, also where both tiers hold a trade published again");
        pages.Count.Should().Be((expected.Count / limit) + 1);
    }

    [Test, Order(1)]
    public async Task Paging_returns_the_whole_range_exactly_when_an_offload_commits_between_pages()
    {
        await AssertAllTradesAsync("ETH/USDT", 250, async page =>
        {
            // The cursor keeps its snapshot and watermark: rows the offload moves after the first page are read once.
            if (page == 1) { (await _runner.RunAsync()).Should().OnlyContain(r => r.Error == null); }
        });
        await AssertAllTradesAsync("BTC/USDT", 400);
    }

    [Test, Order(2)]
    public async Task Offloaded_trades_are_read_from_the_cold_tier_after_hot_ttl_dropped_them()
    {
        await _api.Trades.InsertAsync(60, UnixMicros.Now(TimeProvider.System) - 5 * 60_000_000L, 3_000_000);
        await HotTier.Gateway.ExecuteAsync($"DELETE FROM {_api.Rig.Hot.Table(HotTierMigrations.SilverTable)} WHERE exchange_ts < fromUnixTimestamp64Micro({_day + 86_400_000_000L}, 'UTC')");
        var (trades, _) = await QueryReads.AllTradesAsync(_api.Http, "BTC/USDT", _day, Now, 100_000);
        trades.Where(t => t.TsMicros < _day + 86_400_000_000L).Should().OnlyContain(t => t.Tier == "cold");
        trades.Should().Contain(t => t.Tier == "hot");
        await AssertAllTradesAsync("BTC/USDT", 100_000);
        await AssertAllTradesAsync("ETH/USDT", 333);
    }

    [Test, Order(3)]
    public async Task Trades_stay_exact_while_an_offload_runs_in_a_loop()
    {
        await _api.Trades.InsertAsync(90, UnixMicros.Now(TimeProvider.System) - 4 * 60_000_000L, 1_000_000);
        using var stop = new CancellationTokenSource();
        var runs = 0;
        var loop = Task.Run(async () =>
        {
            // Each round adds trades of a third symbol, so every offload commits new snapshots while the reads run.
            while (!stop.IsCancellationRequested)
            {
                await _api.Trades.InsertAsync(20, UnixMicros.Now(TimeProvider.System) - 60_000_000L, 1_000, ["SOL/USDT"]);
                (await _runner.RunAsync()).Should().OnlyContain(r => r.Error == null);
                Interlocked.Increment(ref runs);
            }
        });
        try
        {
            while (Volatile.Read(ref runs) < 3 && !loop.IsCompleted)
            {
                await AssertAllTradesAsync("BTC/USDT", 700);
                await AssertAllTradesAsync("ETH/USDT", 5_000);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await loop;
        }
    }

    [Test, Order(4)]
    public async Task Candles_of_every_stored_and_rolled_up_interval_equal_candles_computed_from_the_trades()
    {
        // A late trade after the last offload: its window is cold and not yet revised there.
        (await _runner.RunAsync()).Should().OnlyContain(r => r.Error == null);
        await _api.Trades.InsertLateAsync(Exchange.Kraken, "BTC/USDT", _day + 3_600_000_777);
        await _api.Trades.InsertAsync(40, UnixMicros.Now(TimeProvider.System) - 40_000_000L, 900_000, ["BTC/USDT"]);
        var now = Now;
        var btc = _api.Trades.All.Where(t => t.Canonical == "BTC/USDT").ToList();
        var tiers = new HashSet<string>();
        foreach (var (interval, micros) in new[] { ("1m", 60L), ("5m", 300L), ("15m", 900L), ("30m", 1800L), ("1h", 3600L), ("1d", 86400L), ("3m", 180L), ("2h", 7200L), ("4h", 14400L), ("90m", 5400L), ("1w", 604800L) })
        {
            var length = micros * 1_000_000;
            var from = (long)Math.Floor(_day / (double)length) * length;
            var candles = await QueryReads.CandlesAsync(_api.Http, "BTC/USDT", interval, from, now);
            var expected = QueryReads.ExpectedCandles(btc, length, now);
            candles.Select(QueryReads.Comparable).Should().Equal(expected.Select(QueryReads.Comparable), $"{interval} candles equal those computed from the trades");
            candles.Select(c => c.Closed).Should().Equal(expected.Select(c => c.Closed), $"{interval} windows say whether they are closed");
            tiers.UnionWith(candles.Select(c => c.Tier));
        }

        tiers.Should().Contain(["hot", "cold"], "the range spans both tiers");
    }
}
