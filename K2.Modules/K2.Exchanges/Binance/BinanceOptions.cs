using System.ComponentModel.DataAnnotations;
using K2.Core.Trades;

namespace K2.Exchanges.Binance;

/// <summary><c>Modules:Exchanges:Binance</c>.</summary>
public sealed class BinanceOptions : ExchangeOptions
{
    public BinanceOptions()
    {
        WebSocketUrl = new Uri("wss://stream.binance.com:9443");
        RestUrl = new Uri("https://api.binance.com");
        RestRequestIntervalMilliseconds = 500;
        SilenceTimeoutMilliseconds = 60_000;
    }

    public override Exchange Exchange => Exchange.Binance;

    /// <summary>Streams per connection (Binance allows 1024). Default 1024.</summary>
    [Range(1, 1024, ErrorMessage = "StreamsPerConnection must be 1..1024")]
    public int StreamsPerConnection { get; set; } = 1024;

    /// <summary>Open a replacement connection after this many minutes (Binance cuts at 24 h). Default 1380 (23 h).</summary>
    [Range(0.01, 1439, ErrorMessage = "RotateAfterMinutes must be 0.01..1439 (below Binance's 24 h cut)")]
    public double RotateAfterMinutes { get; set; } = 23 * 60;

    /// <summary>How long old and new connections overlap during a rotation, in milliseconds. Default 3000.</summary>
    [Range(0, 60_000, ErrorMessage = "RotationOverlapMilliseconds must be 0..60000")]
    public int RotationOverlapMilliseconds { get; set; } = 3_000;

    internal override IExchangeAdapter CreateAdapter() => new BinanceAdapter(this);
}
