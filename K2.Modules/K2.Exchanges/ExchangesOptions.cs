using System.ComponentModel.DataAnnotations;
using K2.Core.Configuration;
using K2.Core.Trades;
using K2.Exchanges.Parsing;

namespace K2.Exchanges;

/// <summary><c>Modules:Exchanges</c>: the ingestors of Binance, Kraken and Coinbase.</summary>
public sealed class ExchangesOptions : ModuleOptions, IValidatableObject
{
    public const string SectionName = "Modules:Exchanges";

    /// <summary>This daemon's part of the instrument set when several daemons split it (0-based). Default 0.</summary>
    [Range(0, 1023, ErrorMessage = "ShardIndex must be 0..1023 and below ShardCount")]
    public int ShardIndex { get; set; }

    /// <summary>How many daemons split the instrument set; 1 takes all. Default 1.</summary>
    [Range(1, 1024, ErrorMessage = "ShardCount must be 1..1024")]
    public int ShardCount { get; set; } = 1;

    public BinanceOptions Binance { get; set; } = new();

    public KrakenOptions Kraken { get; set; } = new();

    public CoinbaseOptions Coinbase { get; set; } = new();

    public ExchangeOptions For(Exchange exchange) => exchange switch
    {
        Exchange.Binance => Binance,
        Exchange.Kraken => Kraken,
        _ => Coinbase,
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ShardIndex >= ShardCount)
        {
            yield return new ValidationResult($"ShardIndex {ShardIndex} must be below ShardCount {ShardCount}", [nameof(ShardIndex)]);
        }
    }
}

/// <summary><c>Modules:Exchanges:&lt;Name&gt;</c>: what every exchange's sessions share.</summary>
public abstract class ExchangeOptions : IValidatableObject
{
    /// <summary>Whether this exchange is ingested. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>WebSocket base URL (ws:// or wss://).</summary>
    [Required]
    [UrlScheme("ws", "wss")]
    public Uri WebSocketUrl { get; set; } = null!;

    /// <summary>REST base URL for gap backfill (http:// or https://).</summary>
    [Required]
    [UrlScheme("http", "https")]
    public Uri RestUrl { get; set; } = null!;

    /// <summary>Reconnect when no frame arrives within this many milliseconds. Default 15000.</summary>
    [Range(50, 600_000, ErrorMessage = "SilenceTimeoutMilliseconds must be 50..600000")]
    public int SilenceTimeoutMilliseconds { get; set; } = 15_000;

    /// <summary>Give up a connection attempt after this many milliseconds. Default 10000.</summary>
    [Range(50, 120_000, ErrorMessage = "ConnectTimeoutMilliseconds must be 50..120000")]
    public int ConnectTimeoutMilliseconds { get; set; } = 10_000;

    /// <summary>First reconnect delay in milliseconds; doubles per failed attempt up to the cap, with ±20 % jitter. Default 500.</summary>
    [Range(1, 60_000, ErrorMessage = "BackoffInitialMilliseconds must be 1..60000")]
    public int BackoffInitialMilliseconds { get; set; } = 500;

    /// <summary>Reconnect delay cap in milliseconds. Default 30000.</summary>
    [Range(1, 600_000, ErrorMessage = "BackoffMaxMilliseconds must be 1..600000")]
    public int BackoffMaxMilliseconds { get; set; } = 30_000;

    /// <summary>Largest accepted message in bytes (multi-frame messages are reassembled up to this). Default 10485760.</summary>
    [Range(4096, 268_435_456, ErrorMessage = "MaxMessageBytes must be 4096..268435456")]
    public int MaxMessageBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Wait this long after a gap opens before backfilling it over REST (late trades and snapshots come first). Default 3000.</summary>
    [Range(0, 600_000, ErrorMessage = "GapGraceMilliseconds must be 0..600000")]
    public int GapGraceMilliseconds { get; set; } = 3_000;

    /// <summary>Recover gaps over the exchange's public REST trades endpoint. Default true.</summary>
    public bool BackfillEnabled { get; set; } = true;

    /// <summary>Trade ids remembered per symbol for dedup. Default 65536.</summary>
    [Range(16, 10_000_000, ErrorMessage = "DedupWindowPerSymbol must be 16..10000000")]
    public int DedupWindowPerSymbol { get; set; } = 65_536;

    public virtual IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BackoffMaxMilliseconds < BackoffInitialMilliseconds)
        {
            yield return new ValidationResult("BackoffMaxMilliseconds must be at least BackoffInitialMilliseconds", [nameof(BackoffMaxMilliseconds)]);
        }
    }
}

/// <summary><c>Modules:Exchanges:Binance</c>.</summary>
public sealed class BinanceOptions : ExchangeOptions
{
    public BinanceOptions()
    {
        WebSocketUrl = new Uri("wss://stream.binance.com:9443");
        RestUrl = new Uri("https://api.binance.com");
        SilenceTimeoutMilliseconds = 60_000;
    }

    /// <summary>Streams per connection (Binance allows 1024). Default 1024.</summary>
    [Range(1, 1024, ErrorMessage = "StreamsPerConnection must be 1..1024")]
    public int StreamsPerConnection { get; set; } = 1024;

    /// <summary>Open a replacement connection after this many minutes (Binance cuts at 24 h). Default 1380 (23 h).</summary>
    [Range(0.01, 1439, ErrorMessage = "RotateAfterMinutes must be 0.01..1439 (below Binance's 24 h cut)")]
    public double RotateAfterMinutes { get; set; } = 23 * 60;

    /// <summary>How long old and new connections overlap during a rotation, in milliseconds. Default 3000.</summary>
    [Range(0, 60_000, ErrorMessage = "RotationOverlapMilliseconds must be 0..60000")]
    public int RotationOverlapMilliseconds { get; set; } = 3_000;
}

/// <summary><c>Modules:Exchanges:Kraken</c>.</summary>
public sealed class KrakenOptions : ExchangeOptions
{
    public KrakenOptions()
    {
        WebSocketUrl = new Uri("wss://ws.kraken.com/v2");
        RestUrl = new Uri("https://api.kraken.com");
    }

    /// <summary>Ask for the last 50 trades per symbol on every (re)subscribe, to recover gaps. Default true.</summary>
    public bool Snapshot { get; set; } = true;
}

/// <summary><c>Modules:Exchanges:Coinbase</c>.</summary>
public sealed class CoinbaseOptions : ExchangeOptions
{
    public CoinbaseOptions()
    {
        WebSocketUrl = new Uri("wss://advanced-trade-ws.coinbase.com");
        RestUrl = new Uri("https://api.coinbase.com");
    }

    /// <summary>What the <c>side</c> field means: <c>Maker</c> (taker = opposite; default) or <c>Taker</c>.</summary>
    public CoinbaseSideMeaning SideMeaning { get; set; } = CoinbaseSideMeaning.Maker;
}
