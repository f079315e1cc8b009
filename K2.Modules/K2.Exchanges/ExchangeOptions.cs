using System.ComponentModel.DataAnnotations;
using K2.Core.Trades;

namespace K2.Exchanges;

/// <summary><c>Modules:Exchanges:&lt;Name&gt;</c>: what every exchange's sessions share; each exchange's class adds its own keys.</summary>
public abstract class ExchangeOptions : IValidatableObject
{
    /// <summary>The exchange these options configure.</summary>
    public abstract Exchange Exchange { get; }

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

    /// <summary>
    /// Least time between two REST requests to this exchange, in milliseconds, whatever the symbol: the pace that keeps
    /// backfill within the exchange's public rate limit. Default per exchange (Binance 500, Kraken 1000, Coinbase 200).
    /// </summary>
    [Range(0, 60_000, ErrorMessage = "RestRequestIntervalMilliseconds must be 0..60000")]
    public int RestRequestIntervalMilliseconds { get; set; } = 1_000;

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

    /// <summary>The exchange's adapter, configured by these options.</summary>
    internal abstract IExchangeAdapter CreateAdapter();
}
