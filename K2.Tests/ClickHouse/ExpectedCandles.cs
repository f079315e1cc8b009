using System.Globalization;
using K2.ClickHouse.Schema;
using K2.Core.Time;
using K2.Core.Trades;

namespace K2.Tests.ClickHouse;

/// <summary>One candle as plain values, computed here from trades or read from an <c>ohlcv_*_final</c> view.</summary>
internal sealed record Candle(
    string Exchange, string Symbol, string CanonicalSymbol, DateTimeOffset WindowStart,
    decimal Open, decimal High, decimal Low, decimal Close, decimal Volume, decimal QuoteVolume, decimal Vwap,
    long TradeCount, decimal BuyVolume, decimal SellVolume)
{
    public const string Columns = "exchange, symbol, canonical_symbol, toUnixTimestamp(window_start), open, high, low, close, volume, quote_volume, vwap, trade_count, buy_volume, sell_volume";

    public static Candle Parse(string[] f) => new(
        f[0], f[1], f[2], DateTimeOffset.FromUnixTimeSeconds(long.Parse(f[3], CultureInfo.InvariantCulture)),
        D(f[4]), D(f[5]), D(f[6]), D(f[7]), D(f[8]), D(f[9]), D(f[10]), long.Parse(f[11], CultureInfo.InvariantCulture), D(f[12]), D(f[13]));

    private static decimal D(string text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}

/// <summary>Candles computed in C# from distinct trades, independently of the SQL: first/last by (time, id length, id).</summary>
internal static class ExpectedCandles
{
    public static IReadOnlyList<Candle> For(CandleInterval interval, IEnumerable<NormalizedTrade> trades) =>
        trades
            .DistinctBy(t => (t.Exchange, t.Symbol, t.TradeId))
            .GroupBy(t => (t.Exchange, t.Symbol, t.CanonicalSymbol, Window: interval.WindowStart(UnixMicros.ToDateTimeOffset(t.ExchangeTimestampUs))))
            .Select(g =>
            {
                var ordered = g.OrderBy(t => t.ExchangeTimestampUs).ThenBy(t => t.TradeId.Length).ThenBy(t => t.TradeId, StringComparer.Ordinal).ToList();
                var volume = g.Sum(t => t.Quantity);
                var quoteVolume = g.Sum(t => t.Price * t.Quantity);
                return new Candle(
                    g.Key.Exchange.ToWire(), g.Key.Symbol, g.Key.CanonicalSymbol, g.Key.Window,
                    ordered[0].Price, g.Max(t => t.Price), g.Min(t => t.Price), ordered[^1].Price,
                    volume, quoteVolume, decimal.Round(quoteVolume / volume, 18, MidpointRounding.ToZero),
                    g.Count(), g.Where(t => t.Side == TradeSide.Buy).Sum(t => t.Quantity), g.Where(t => t.Side == TradeSide.Sell).Sum(t => t.Quantity));
            })
            .OrderBy(c => c.Exchange, StringComparer.Ordinal).ThenBy(c => c.Symbol, StringComparer.Ordinal).ThenBy(c => c.WindowStart)
            .ToList();
}
