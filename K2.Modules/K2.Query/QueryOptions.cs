using System.ComponentModel.DataAnnotations;
using System.Net;
using K2.Core.Configuration;

namespace K2.Query;

/// <summary><c>Modules:Query</c>: the read API over the hot and cold tiers.</summary>
public sealed class QueryOptions : ModuleOptions, IValidatableObject
{
    public const string SectionName = "Modules:Query";

    /// <summary>Address the API listens on. Default <c>127.0.0.1:8480</c> (loopback only); any other address needs <see cref="ApiKeys"/>.</summary>
    public string Listen { get; set; } = "127.0.0.1:8480";

    /// <summary>
    /// Accepted API keys, each stored as the SHA-256 of the key (64 hex digits), never the key itself. Required when
    /// <see cref="Listen"/> is not a loopback address; when any is configured, every request must present one.
    /// </summary>
    public List<QueryApiKey> ApiKeys { get; set; } = [];

    /// <summary>Requests per minute per API key (per client address without keys), unless the key sets its own. Default 600.</summary>
    [Range(1, 1_000_000, ErrorMessage = "must be between 1 and 1000000 requests per minute")]
    public int PermitsPerMinute { get; set; } = 600;

    /// <summary>Origins allowed by CORS (e.g. <c>https://dash.example.com</c>); empty allows none. Default empty.</summary>
    public List<string> CorsOrigins { get; set; } = [];

    /// <summary>Rows per trades page when the request gives no <c>limit</c>. Default 1,000.</summary>
    [Range(1, 100_000_000, ErrorMessage = "must be between 1 and 100000000 rows")]
    public int DefaultPageRows { get; set; } = 1_000;

    /// <summary>The largest <c>limit</c> a trades page may ask for. Default 1,000,000.</summary>
    [Range(1, 100_000_000, ErrorMessage = "must be between 1 and 100000000 rows")]
    public int MaxPageRows { get; set; } = 1_000_000;

    /// <summary>The widest <c>from</c>–<c>to</c> range of a trades request, in days. Default 31.</summary>
    [Range(1, 36_600, ErrorMessage = "must be between 1 and 36600 days")]
    public int MaxTradeRangeDays { get; set; } = 31;

    /// <summary>The most candle windows one candles request may span (windows × exchanges). Default 100,000.</summary>
    [Range(1, 100_000_000, ErrorMessage = "must be between 1 and 100000000 candles")]
    public int MaxCandles { get; set; } = 100_000;

    /// <summary>A query is stopped (ClickHouse's <c>max_execution_time</c>) and its response ended after this long. Default 60 seconds.</summary>
    [Range(1, 3600, ErrorMessage = "must be between 1 and 3600 seconds")]
    public int QueryTimeoutSeconds { get; set; } = 60;

    /// <summary>How far back <c>from=</c> of the live stream may replay, in hours. Default 24.</summary>
    [Range(1, 24 * 366, ErrorMessage = "must be between 1 and 8784 hours")]
    public int LiveReplayMaxHours { get; set; } = 24;

    /// <summary>Live trades held for one subscriber that reads too slowly before it is disconnected. Default 100,000.</summary>
    [Range(100, 10_000_000, ErrorMessage = "must be between 100 and 10000000 trades")]
    public int LiveMaxQueuedTrades { get; set; } = 100_000;

    internal IPEndPoint Endpoint => IPEndPoint.Parse(Listen);

    internal bool IsLoopback => IPEndPoint.TryParse(Listen, out var endpoint) && IPAddress.IsLoopback(endpoint.Address);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPEndPoint.TryParse(Listen, out var endpoint) || endpoint.Port == 0)
        {
            yield return new ValidationResult($"'{Listen}' is not an address; use IP:port such as 127.0.0.1:8480 (0.0.0.0:8480 on all interfaces, with ApiKeys)", [nameof(Listen)]);
        }
        else if (!IsLoopback && ApiKeys.Count == 0)
        {
            yield return new ValidationResult(
                $"the query API listens on {Listen}, which is not a loopback address: configure at least one key under Modules:Query:ApiKeys (make one with `k2 query new-key`)",
                [nameof(ApiKeys)]);
        }

        if (DefaultPageRows > MaxPageRows)
        {
            yield return new ValidationResult($"must not exceed MaxPageRows ({MaxPageRows})", [nameof(DefaultPageRows)]);
        }

        foreach (var name in ApiKeys.GroupBy(k => k.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            yield return new ValidationResult($"key name '{name}' is used more than once; names must be unique", [nameof(ApiKeys)]);
        }

        foreach (var origin in CorsOrigins.Where(o => !Uri.TryCreate(o, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/"))
        {
            yield return new ValidationResult($"'{origin}' is not an origin; use scheme://host[:port] such as https://dash.example.com", [nameof(CorsOrigins)]);
        }
    }
}

/// <summary>One API key: a name (in metrics and logs, never the key) and the SHA-256 of the key.</summary>
public sealed class QueryApiKey
{
    [Required(ErrorMessage = "must name the key (letters, digits, - and _)")]
    [RegularExpression("^[A-Za-z0-9_-]{1,64}$", ErrorMessage = "must be 1-64 letters, digits, - or _")]
    public string Name { get; set; } = "";

    /// <summary>SHA-256 of the key as 64 hex digits, e.g. from <c>k2 query new-key</c> or <c>printf %s "$KEY" | sha256sum</c>.</summary>
    [RegularExpression("^[0-9a-fA-F]{64}$", ErrorMessage = "must be the key's SHA-256 as 64 hex digits, e.g. from printf %s \"$KEY\" | sha256sum")]
    public string Sha256 { get; set; } = "";

    /// <summary>Requests per minute for this key; 0 takes <see cref="QueryOptions.PermitsPerMinute"/>. Default 0.</summary>
    [Range(0, 1_000_000, ErrorMessage = "must be between 0 and 1000000 requests per minute")]
    public int PermitsPerMinute { get; set; }
}
