namespace K2.Core.Trades;

/// <summary>
/// The exchanges K2 ingests. The lower-case name is used on the wire, in topics and in tables. Values run
/// from 0 without holes: they index per-exchange arrays.
/// </summary>
public enum Exchange
{
    Binance,
    Kraken,
    Coinbase,
}

public static class ExchangeNames
{
    public static readonly IReadOnlyList<Exchange> All = Enum.GetValues<Exchange>();

    private static readonly string[] WireNames = All.Select(e => e.ToString().ToLowerInvariant()).ToArray();

    public static string ToWire(this Exchange exchange) =>
        (uint)exchange < (uint)WireNames.Length ? WireNames[(int)exchange] : throw new ArgumentOutOfRangeException(nameof(exchange), exchange, null);

    public static bool TryParse(string? name, out Exchange exchange)
    {
        var index = Array.IndexOf(WireNames, name?.Trim().ToLowerInvariant());
        exchange = index >= 0 ? (Exchange)index : default;
        return index >= 0;
    }

    public static string Allowed => string.Join(", ", WireNames);
}
