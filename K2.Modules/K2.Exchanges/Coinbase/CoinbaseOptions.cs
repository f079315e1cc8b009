using K2.Core.Trades;

namespace K2.Exchanges.Coinbase;

/// <summary><c>Modules:Exchanges:Coinbase</c>.</summary>
public sealed class CoinbaseOptions : ExchangeOptions
{
    public CoinbaseOptions()
    {
        WebSocketUrl = new Uri("wss://advanced-trade-ws.coinbase.com");
        RestUrl = new Uri("https://api.coinbase.com");
        RestRequestIntervalMilliseconds = 200;
    }

    public override Exchange Exchange => Exchange.Coinbase;

    /// <summary>What the <c>side</c> field means: <c>Maker</c> (taker = opposite; default) or <c>Taker</c>.</summary>
    public CoinbaseSideMeaning SideMeaning { get; set; } = CoinbaseSideMeaning.Maker;

    internal override IExchangeAdapter CreateAdapter() => new CoinbaseAdapter(this);
}
