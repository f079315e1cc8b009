using K2.ClickHouse.Gateway;
using K2.ClickHouse.Operations;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Tests.Support;

namespace K2.Tests.ClickHouse;

/// <summary>
/// A process killed between a block's bronze insert and its silver insert: with the embedded broker nothing reads the
/// block again, so the next start writes to silver (and the candles) what bronze holds and silver lacks, once.
/// </summary>
public sealed class SilverCatchUpTests
{
    [Test]
    public async Task Trades_a_kill_left_in_bronze_only_reach_silver_and_the_candles_once_at_the_next_start()
    {
        await using var hotTier = HotTier.Create();
        await hotTier.Schema.ApplyAsync();
        var trades = FixtureTrades.All();
        var cut = trades.Where(t => t.Exchange == Exchange.Binance).TakeLast(15).ToList();
        await DuplicateRepairTests.InsertIntoBronzeAsync(hotTier, trades.Except(cut));

        // The kill: the block is in bronze, and the view that writes silver never ran for it; one of its trades was
        // delivered twice.
        var view = hotTier.Table($"mv_{HotTierMigrations.BronzeTable(Exchange.Binance)}_to_silver");
        await HotTier.Gateway.ExecuteAsync($"DETACH TABLE {view}");
        await DuplicateRepairTests.InsertIntoBronzeAsync(hotTier, cut.Append(cut[0]));
        await AttachAsync(view);
        (await hotTier.CountAsync(HotTierMigrations.SilverTable)).Should().Be(trades.Count - cut.Count);

        var catchUp = new SilverCatchUp(HotTier.Gateway, hotTier.Settings);
        var written = await catchUp.RunAsync(CancellationToken.None);

        written.Should().BeEquivalentTo(new Dictionary<Exchange, long> { [Exchange.Binance] = cut.Count });
        (await hotTier.CountAsync(HotTierMigrations.SilverTable)).Should().Be(trades.Count, "each trade is in silver once");
        (await hotTier.CountAsync(HotTierMigrations.SilverTable, "is_valid")).Should().Be(trades.Count, "the rows went through the same transform as the view's");
        foreach (var interval in CandleInterval.All)
        {
            (await hotTier.CandlesAsync(interval)).Should().Equal(ExpectedCandles.For(interval, trades), $"candles {interval.Name} count every trade once");
        }

        (await catchUp.RunAsync(CancellationToken.None)).Should().BeEmpty("a second start finds nothing missing");
    }

    /// <summary>The engine refuses to attach a table while a query that began before its detach still holds it.</summary>
    private static async Task AttachAsync(string table) =>
        await Eventually.Holds(async () =>
        {
            try
            {
                await HotTier.Gateway.ExecuteAsync($"ATTACH TABLE {table}");
                return true;
            }
            catch (ClickHouseGatewayException ex) when (ex.Message.Contains("still used by some query", StringComparison.Ordinal))
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), () => $"{table} attached again");
}
