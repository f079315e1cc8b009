using K2.Core.Trades;

namespace K2.Tests.Exchanges.Fakes;

/// <summary>One trade a <see cref="LiveMarket"/> made, as the exchange printed it.</summary>
internal sealed record MadeTrade(string Symbol, long Id, decimal Price, decimal Quantity, long TimeUs, bool TakerBuys)
{
    public TradeSide Side => TakerBuys ? TradeSide.Buy : TradeSide.Sell;
}

/// <summary>
/// Trading on a live fake exchange: each call makes trades of its symbols in turn, with ids rising by one per symbol
/// and exchange times 2 ms apart (500 a second, as a busy market), and appends their frames to the exchange's timeline.
/// </summary>
internal sealed class LiveMarket(FakeExchangeServer exchange, IReadOnlyList<string> symbols, long firstId = 7_000_000)
{
    private static readonly long Spacing = 2_000;
    private readonly Dictionary<string, long> _nextId = symbols.ToDictionary(s => s, _ => firstId, StringComparer.Ordinal);
    private readonly List<MadeTrade> _made = [];
    private long _timeUs = WholeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-1));
    private int _turn;

    public FakeExchangeServer Exchange => exchange;

    public IReadOnlyList<string> Symbols => symbols;

    /// <summary>Every trade made so far, in the order made.</summary>
    public IReadOnlyList<MadeTrade> Made => _made;

    /// <summary>The next trade is made at <paramref name="time"/> (later ones 2 ms apart again).</summary>
    public void SkipTo(DateTimeOffset time) => _timeUs = WholeMilliseconds(time) - Spacing;

    /// <summary>Times in whole milliseconds: Binance's stream and REST send no finer ones.</summary>
    private static long WholeMilliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() * 1000;

    /// <summary>Makes <paramref name="count"/> trades and puts them on the exchange.</summary>
    public IReadOnlyList<MadeTrade> Trade(int count)
    {
        var made = new List<MadeTrade>(count);
        for (var i = 0; i < count; i++)
        {
            var symbol = symbols[_turn++ % symbols.Count];
            var id = _nextId[symbol]++;
            _timeUs += Spacing;
            made.Add(new MadeTrade(symbol, id, 70_000m + id % 997 / 100m, 0.0001m * (1 + id % 313), _timeUs, id % 3 != 0));
        }

        _made.AddRange(made);
        exchange.Append(made.Select(t => exchange.TradeFrame(t.Symbol, t.Id, t.Price, t.Quantity, t.TimeUs, t.TakerBuys)));
        return made;
    }
}
