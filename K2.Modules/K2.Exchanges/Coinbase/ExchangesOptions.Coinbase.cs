using K2.Exchanges.Coinbase;

namespace K2.Exchanges;

public sealed partial class ExchangesOptions
{
    public CoinbaseOptions Coinbase { get; set; } = new();
}
