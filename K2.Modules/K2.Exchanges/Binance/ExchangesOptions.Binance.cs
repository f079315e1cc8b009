using K2.Exchanges.Binance;

namespace K2.Exchanges;

public sealed partial class ExchangesOptions
{
    public BinanceOptions Binance { get; set; } = new();
}
