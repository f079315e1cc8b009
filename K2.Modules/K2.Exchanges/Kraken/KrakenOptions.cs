using K2.Core.Trades;

namespace K2.Exchanges.Kraken;

/// <summary><c>Modules:Exchanges:Kraken</c>.</summary>
public sealed class KrakenOptions : ExchangeOptions
{
    public KrakenOptions()
    {
        WebSocketUrl = new Uri("wss://ws.kraken.com/v2");
        RestUrl = new Uri("https://api.kraken.com");
    }

    public override Exchange Exchange => Exchange.Kraken;

    /// <summary>Ask for the last 50 trades per symbol on every (re)subscribe, to recover gaps. Default true.</summary>
    public bool Snapshot { get; set; } = true;

    internal override IExchangeAdapter CreateAdapter() => new KrakenAdapter(this);
}
