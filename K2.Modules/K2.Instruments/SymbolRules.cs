using System.Collections.Frozen;

namespace K2.Instruments;

/// <summary>
/// How exchange symbols become canonical BASE/QUOTE. Registry overrides come first; otherwise
/// a separator (/, -, _) splits the symbol, else the longest known quote asset that ends it.
/// Asset aliases are resolved both ways (Kraken's XBT and XDG are BTC and DOGE elsewhere).
/// </summary>
public static class SymbolRules
{
    private static readonly FrozenDictionary<string, string> AliasToCanonical =
        new Dictionary<string, string> { ["XBT"] = "BTC", ["XDG"] = "DOGE" }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> CanonicalToKraken =
        AliasToCanonical.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>Quote assets tried as suffixes of separator-less symbols, longest first.</summary>
    public static readonly IReadOnlyList<string> KnownQuoteAssets =
        new[] { "FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDP", "EURI", "DAI", "BTC", "ETH", "BNB", "EUR", "USD", "GBP", "JPY", "TRY", "BRL", "AUD", "SOL", "XRP" }
            .OrderByDescending(q => q.Length).ThenBy(q => q, StringComparer.Ordinal).ToArray();

    /// <summary>Canonical name of an asset: XBT → BTC, XDG → DOGE, others unchanged (upper case).</summary>
    public static string CanonicalAsset(string asset)
    {
        var upper = asset.ToUpperInvariant();
        return AliasToCanonical.GetValueOrDefault(upper, upper);
    }

    /// <summary>Kraken's v1/REST name of a canonical asset: BTC → XBT, DOGE → XDG.</summary>
    public static string KrakenLegacyAsset(string canonicalAsset) =>
        CanonicalToKraken.GetValueOrDefault(canonicalAsset, canonicalAsset);

    /// <summary>Splits an exchange symbol into canonical base and quote, or explains why it cannot.</summary>
    public static bool TrySplit(string symbol, out string baseAsset, out string quoteAsset, out string error)
    {
        baseAsset = quoteAsset = string.Empty;
        var separator = symbol.IndexOfAny(['/', '-', '_']);
        if (separator >= 0)
        {
            var left = symbol[..separator];
            var right = symbol[(separator + 1)..];
            if (left.Length == 0 || right.Length == 0 || right.IndexOfAny(['/', '-', '_']) >= 0)
            {
                error = $"symbol '{symbol}' must be BASE<sep>QUOTE with exactly one separator";
                return false;
            }

            baseAsset = CanonicalAsset(left);
            quoteAsset = CanonicalAsset(right);
            error = string.Empty;
            return true;
        }

        var upper = symbol.ToUpperInvariant();
        foreach (var quote in KnownQuoteAssets)
        {
            if (upper.Length > quote.Length && upper.EndsWith(quote, StringComparison.Ordinal))
            {
                baseAsset = CanonicalAsset(upper[..^quote.Length]);
                quoteAsset = quote;
                error = string.Empty;
                return true;
            }
        }

        error = $"cannot tell base from quote in '{symbol}'; add 'base' and 'quote' to its entry";
        return false;
    }
}
