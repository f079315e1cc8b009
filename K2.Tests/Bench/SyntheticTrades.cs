using K2.Core.Trades;

namespace K2.Bench;

/// <summary>Deterministic synthetic trades: a decimal random walk per symbol, a few ms apart, both sides.</summary>
internal static class SyntheticTrades
{
    private static readonly (Exchange Exchange, string Symbol, string Canonical, decimal Start)[] Instruments =
    [
        (Exchange.Binance, "BTCUSDT", "BTC/USDT", 70215.76m),
        (Exchange.Binance, "ETHUSDT", "ETH/USDT", 2081.43m),
        (Exchange.Kraken, "BTC/USD", "BTC/USD", 70208.4m),
        (Exchange.Coinbase, "BTC-USD", "BTC/USD", 70214.09m),
    ];

    /// <summary>Instruments the trades cycle through, each on a Kafka partition of its own key.</summary>
    public static int InstrumentCount => Instruments.Length;

    public static IEnumerable<NormalizedTrade> Generate(long count, long startUs = 1_771_338_600_000_000)
    {
        var random = new Random(42);
        var prices = Instruments.Select(i => i.Start).ToArray();
        var time = startUs;
        for (long n = 0; n < count; n++)
        {
            var i = (int)(n % Instruments.Length);
            var (exchange, symbol, canonical, _) = Instruments[i];
            prices[i] = Math.Max(0.01m, prices[i] + (random.Next(-50, 51) / 100m));
            time += random.Next(1, 20_000);
            var quantity = random.Next(1, 5_000_000) / 100_000_000m;
            var side = random.Next(2) == 0 ? TradeSide.Buy : TradeSide.Sell;
            yield return new NormalizedTrade(exchange, symbol, canonical, (1_000_000_000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture),
                prices[i], quantity, side, time, time + 1500, new TradeExtras(IsBuyerMaker: exchange == Exchange.Binance ? side == TradeSide.Sell : null));
        }
    }
}
