using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;

namespace K2.Tests.ClickHouse;

internal static class HotTierReads
{
    public static async Task<IReadOnlyList<Candle>> CandlesAsync(this HotTier hotTier, CandleInterval interval)
    {
        var rows = await HotTier.Gateway.QueryRowsAsync($"SELECT {Candle.Columns} FROM {hotTier.Table(interval.View)} ORDER BY exchange, symbol, window_start");
        return rows.Select(Candle.Parse).ToList();
    }

    /// <summary>Every candle of every interval, for before/after comparisons.</summary>
    public static async Task<IReadOnlyList<Candle>> AllCandlesAsync(this HotTier hotTier)
    {
        var all = new List<Candle>();
        foreach (var interval in CandleInterval.All) { all.AddRange(await hotTier.CandlesAsync(interval)); }
        return all;
    }
}
