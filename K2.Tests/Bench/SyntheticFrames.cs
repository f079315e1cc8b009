using System.Globalization;
using K2.Core.Trades;

namespace K2.Bench;

/// <summary>
/// One exchange's live stream, made up: WebSocket text frames in the exchange's own wire format (Binance combined-stream
/// <c>@trade</c> events, Kraken v2 <c>trade</c> updates, Coinbase <c>market_trades</c> updates), one trade per frame,
/// the symbols in turn, consecutive trade ids per symbol, exchange times taken from the caller's clock and a decimal
/// random walk for prices.
/// </summary>
internal sealed class SyntheticFrames
{
    private readonly Exchange _exchange;
    private readonly string[] _symbols;
    private readonly long[] _nextIds;
    private readonly decimal[] _prices;
    private readonly Random _random;
    private long _frames;

    /// <param name="symbols">The symbols as the exchange spells them on the wire.</param>
    public SyntheticFrames(Exchange exchange, IReadOnlyList<string> symbols, int seed)
    {
        if (symbols.Count == 0) { throw new ArgumentException($"no {exchange.ToWire()} symbols to generate trades for", nameof(symbols)); }
        _exchange = exchange;
        _symbols = [.. symbols];
        _nextIds = [.. _symbols.Select((_, i) => 1_000_000_000L + (i * 10_000_000L))];
        _prices = [.. _symbols.Select((_, i) => 100m + (i * 37.5m))];
        _random = new Random(seed);
    }

    /// <summary>Trades made so far.</summary>
    public long Trades => _frames;

    /// <summary>The next frame, a trade at <paramref name="now"/>.</summary>
    public string Next(DateTimeOffset now)
    {
        var i = (int)(_frames++ % _symbols.Length);
        var symbol = _symbols[i];
        var id = _nextIds[i]++;
        _prices[i] = Math.Max(0.01m, _prices[i] + (_random.Next(-50, 51) / 100m));
        var price = _prices[i];
        var quantity = _random.Next(1, 5_000_000) / 100_000_000m;
        var buy = _random.Next(2) == 0;
        return _exchange switch
        {
            Exchange.Binance => Binance(symbol, id, price, quantity, buy, now),
            Exchange.Kraken => Kraken(symbol, id, price, quantity, buy, now),
            Exchange.Coinbase => Coinbase(symbol, id, price, quantity, buy, now, _frames),
            _ => throw new ArgumentOutOfRangeException(nameof(now), _exchange, "unknown exchange"),
        };
    }

    private static string Binance(string symbol, long id, decimal price, decimal quantity, bool buy, DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds();
        return string.Create(CultureInfo.InvariantCulture,
            $$$"""{"stream":"{{{symbol.ToLowerInvariant()}}}@trade","data":{"e":"trade","E":{{{ms + 1}}},"s":"{{{symbol}}}","t":{{{id}}},"p":"{{{price:F8}}}","q":"{{{quantity:F8}}}","T":{{{ms}}},"m":{{{(buy ? "false" : "true")}}},"M":true}}""");
    }

    private static string Kraken(string symbol, long id, decimal price, decimal quantity, bool buy, DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture,
            $$"""{"channel":"trade","type":"update","data":[{"symbol":"{{symbol}}","side":"{{(buy ? "buy" : "sell")}}","price":{{price}},"qty":{{quantity}},"ord_type":"market","trade_id":{{id}},"timestamp":"{{Time(now)}}"}]}""");

    private static string Coinbase(string symbol, long id, decimal price, decimal quantity, bool buy, DateTimeOffset now, long sequence) =>
        string.Create(CultureInfo.InvariantCulture,
            $$"""{"channel":"market_trades","client_id":"","timestamp":"{{Time(now)}}","sequence_num":{{sequence}},"events":[{"type":"update","trades":[{"trade_id":"{{id}}","product_id":"{{symbol}}","price":"{{price}}","size":"{{quantity:F8}}","side":"{{(buy ? "BUY" : "SELL")}}","time":"{{Time(now)}}"}]}]}""");

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
