namespace K2.Core.Trades;

/// <summary>The exchanges K2 ingests. The lower-case name is used on the wire, in topics and in tables.</summary>
public enum Exchange
{
    Binance,
    Kraken,
    Coinbase,
}

public static class ExchangeNames
{
    public static readonly IReadOnlyList<Exchange> All = [Exchange.Binance, Exchange.Kraken, Exchange.Coinbase];

    public static string ToWire(this Exchange exchange) => exchange switch
    {
        Exchange.Binance => "binance",
        Exchange.Kraken => "kraken",
        Exchange.Coinbase => "coinbase",
        _ => throw new ArgumentOutOfRangeException(nameof(exchange), exchange, null),
    };

    public static bool TryParse(string? name, out Exchange exchange)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "binance": exchange = Exchange.Binance; return true;
            case "kraken": exchange = Exchange.Kraken; return true;
            case "coinbase": exchange = Exchange.Coinbase; return true;
            default: exchange = default; return false;
        }
    }

    public static string Allowed => string.Join(", ", All.Select(e => e.ToWire()));
}
