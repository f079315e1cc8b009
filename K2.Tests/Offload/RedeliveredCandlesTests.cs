using K2.ClickHouse.Schema;
using K2.Offload.Runs;
using K2.Offload.Tables;
using K2.Tests.Iceberg;

namespace K2.Tests.Offload;

[TestFixture]
public sealed class RedeliveredCandlesTests
{
    [Test]
    public async Task A_redelivered_block_leaves_every_candle_hot_and_cold_equal_to_the_candle_of_the_unique_trades_without_a_manual_step()
    {
        await using var rig = await OffloadRig.StartAsync();
        await rig.Trades.InsertAsync(300, HotTrades.Day, TimeSpan.FromSeconds(5));
        (await rig.NewRunner(repairCandles: true).RunAsync()).Should().OnlyContain(r => r.Outcome == OffloadOutcome.Committed);

        // The Kafka engine delivers the last 120 messages of each exchange again: same partitions and offsets.
        await rig.Trades.RedeliverAsync(120);
        Inflated(rig).Should().BePositive("the candle views counted the redelivered block again");
        var results = await rig.NewRunner(repairCandles: true).RunAsync();

        results.Should().NotContain(r => r.Outcome == OffloadOutcome.Failed);
        Inflated(rig).Should().Be(0);
        foreach (var interval in CandleInterval.All)
        {
            var hot = TestWarehouses.Query($"SELECT {Figures} FROM {rig.Hot.Table(interval.View)} ORDER BY exchange, symbol, window_start");
            hot.Should().Be(FromUniqueTrades(rig, interval), $"hot {interval.Name} candles");
        }

        await rig.AssertColdEqualsHotAsync(ColdTables.Gold);
    }

    private const string Figures = "exchange, symbol, toUnixTimestamp(window_start), open, high, low, close, volume, quote_volume, trade_count, buy_volume, sell_volume";

    /// <summary>Trade counts the 1-minute candles hold beyond silver's distinct trades.</summary>
    private static long Inflated(OffloadRig rig) =>
        long.Parse(TestWarehouses.Query($"SELECT (SELECT sum(trade_count) FROM {rig.Hot.Table("ohlcv_1m")}) - " +
            $"(SELECT uniqExact(exchange, symbol, trade_id) FROM {rig.Hot.Table(HotTierMigrations.SilverTable)} WHERE is_valid)"), System.Globalization.CultureInfo.InvariantCulture);

    private static string FromUniqueTrades(OffloadRig rig, CandleInterval interval) => TestWarehouses.Query($"""
        SELECT {Figures} FROM
        (
            SELECT exchange, symbol, toDateTime(toStartOfInterval(exchange_ts, INTERVAL {interval.SqlInterval}, 'UTC'), 'UTC') AS window_start,
                argMin(price, (exchange_ts, length(trade_id), trade_id)) AS open, max(price) AS high, min(price) AS low,
                argMax(price, (exchange_ts, length(trade_id), trade_id)) AS close, sum(quantity) AS volume, sum(quote_volume) AS quote_volume,
                count() AS trade_count, sumIf(quantity, side = 'BUY') AS buy_volume, sumIf(quantity, side = 'SELL') AS sell_volume
            FROM (SELECT * FROM {rig.Hot.Table(HotTierMigrations.SilverTable)} WHERE is_valid ORDER BY ingested_at LIMIT 1 BY exchange, symbol, trade_id)
            GROUP BY exchange, symbol, window_start
        )
        ORDER BY exchange, symbol, window_start
        """);
}
