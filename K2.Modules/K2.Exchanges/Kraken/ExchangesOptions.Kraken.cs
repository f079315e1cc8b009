using K2.Exchanges.Kraken;

namespace K2.Exchanges;

public sealed partial class ExchangesOptions
{
    public KrakenOptions Kraken { get; set; } = new();
}
