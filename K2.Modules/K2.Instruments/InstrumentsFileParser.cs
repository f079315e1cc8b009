using System.Text.RegularExpressions;
using K2.Core.Trades;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace K2.Instruments;

/// <summary>
/// Reads instruments.yaml:
/// <code>
/// exchanges:
///   binance:
///     symbols: [BTCUSDT, ETHUSDT]
///   kraken:
///     symbols:
///       - XBT/USD
///       - { symbol: XDG/USD, base: DOGE, quote: USD }
/// </code>
/// Every problem is reported as <c>file:line: problem</c>; nothing is returned unless the whole file is valid.
/// </summary>
public static partial class InstrumentsFileParser
{
    [GeneratedRegex("^[A-Za-z0-9]+([/_-][A-Za-z0-9]+)?$")]
    private static partial Regex SymbolPattern();

    [GeneratedRegex("^[A-Za-z0-9]{1,16}$")]
    private static partial Regex AssetPattern();

    public static InstrumentSet ParseFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InstrumentsFileException([$"{path}: cannot read instruments file: {ex.Message}"]);
        }

        return Parse(text, path);
    }

    public static InstrumentSet Parse(string text, string fileName)
    {
        var problems = new List<string>();
        var instruments = new List<Instrument>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new InstrumentsFileException([$"{fileName}:{ex.Start.Line}: invalid YAML: {ex.InnerException?.Message ?? ex.Message}"]);
        }

        void Problem(YamlNode? node, string message) => problems.Add($"{fileName}:{node?.Start.Line ?? 1}: {message}");

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new InstrumentsFileException([$"{fileName}:1: expected a mapping with an 'exchanges' key"]);
        }

        if (!root.Children.TryGetValue(new YamlScalarNode("exchanges"), out var exchangesNode) || exchangesNode is not YamlMappingNode exchanges)
        {
            throw new InstrumentsFileException([$"{fileName}:{root.Start.Line}: missing 'exchanges' mapping (exchange name → symbols)"]);
        }

        foreach (var key in root.Children.Keys.OfType<YamlScalarNode>().Where(k => k.Value != "exchanges"))
        {
            Problem(key, $"unknown key '{key.Value}'; the only top-level key is 'exchanges'");
        }

        foreach (var (nameNode, body) in exchanges.Children)
        {
            var name = (nameNode as YamlScalarNode)?.Value;
            if (!ExchangeNames.TryParse(name, out var exchange))
            {
                Problem(nameNode, $"unknown exchange '{name}'; allowed: {ExchangeNames.Allowed}");
                continue;
            }

            if (body is not YamlMappingNode exchangeBody
                || !exchangeBody.Children.TryGetValue(new YamlScalarNode("symbols"), out var symbolsNode)
                || symbolsNode is not YamlSequenceNode symbols)
            {
                Problem(body, $"exchange '{name}' needs a 'symbols' list");
                continue;
            }

            if (symbols.Children.Count == 0)
            {
                Problem(symbols, $"exchange '{name}' has an empty symbol list; list at least one symbol or remove the exchange");
                continue;
            }

            var seenSymbols = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            var seenCanonical = new Dictionary<string, (string Symbol, int Line)>(StringComparer.Ordinal);
            foreach (var entry in symbols.Children)
            {
                var parsed = ParseEntry(entry, Problem);
                if (parsed is null) { continue; }
                var (symbol, baseAsset, quoteAsset) = parsed.Value;
                var line = (int)entry.Start.Line;
                if (seenSymbols.TryGetValue(symbol, out var firstLine))
                {
                    Problem(entry, $"duplicate symbol '{symbol}' for {name} (first at line {firstLine})");
                    continue;
                }

                var instrument = new Instrument(exchange, symbol, baseAsset, quoteAsset);
                if (seenCanonical.TryGetValue(instrument.Canonical, out var other))
                {
                    Problem(entry, $"'{symbol}' and '{other.Symbol}' (line {other.Line}) are both {instrument.Canonical} on {name}");
                    continue;
                }

                seenSymbols[symbol] = line;
                seenCanonical[instrument.Canonical] = (symbol, line);
                instruments.Add(instrument);
            }
        }

        if (problems.Count > 0) { throw new InstrumentsFileException(problems); }
        if (instruments.Count == 0) { throw new InstrumentsFileException([$"{fileName}:{exchanges.Start.Line}: no instruments configured"]); }
        return new InstrumentSet(instruments);
    }

    private static (string Symbol, string Base, string Quote)? ParseEntry(YamlNode entry, Action<YamlNode?, string> problem)
    {
        string? symbol;
        string? baseOverride = null;
        string? quoteOverride = null;
        switch (entry)
        {
            case YamlScalarNode scalar:
                symbol = scalar.Value;
                break;
            case YamlMappingNode map:
                symbol = null;
                foreach (var (k, v) in map.Children)
                {
                    var key = (k as YamlScalarNode)?.Value;
                    var value = (v as YamlScalarNode)?.Value;
                    switch (key)
                    {
                        case "symbol": symbol = value; break;
                        case "base": baseOverride = value; break;
                        case "quote": quoteOverride = value; break;
                        default: problem(k, $"unknown key '{key}' in symbol entry; allowed: symbol, base, quote"); return null;
                    }
                }

                break;
            default:
                problem(entry, "a symbol entry is a string or a mapping with symbol/base/quote");
                return null;
        }

        if (string.IsNullOrWhiteSpace(symbol))
        {
            problem(entry, "empty symbol");
            return null;
        }

        if (!SymbolPattern().IsMatch(symbol))
        {
            problem(entry, $"bad characters in symbol '{symbol}'; use letters and digits with at most one of / - _");
            return null;
        }

        if ((baseOverride is null) != (quoteOverride is null))
        {
            problem(entry, $"symbol '{symbol}' sets only one of base/quote; set both or neither");
            return null;
        }

        if (baseOverride is not null)
        {
            if (!AssetPattern().IsMatch(baseOverride) || !AssetPattern().IsMatch(quoteOverride!))
            {
                problem(entry, $"bad characters in base/quote of '{symbol}'; use 1-16 letters or digits");
                return null;
            }

            return (symbol, SymbolRules.CanonicalAsset(baseOverride), SymbolRules.CanonicalAsset(quoteOverride!));
        }

        if (!SymbolRules.TrySplit(symbol, out var b, out var q, out var error))
        {
            problem(entry, error);
            return null;
        }

        return (symbol, b, q);
    }
}
