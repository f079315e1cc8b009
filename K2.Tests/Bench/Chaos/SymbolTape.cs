namespace K2.Bench.Chaos;

/// <summary>One trade a chaos exchange made; price, quantity and side follow from the id, so the tape stores only times.</summary>
internal readonly record struct ChaosTrade(string Symbol, long Id, decimal Price, decimal Quantity, long TimeUs, bool TakerBuys);

/// <summary>
/// Every trade of one symbol on a chaos exchange, ids consecutive from <see cref="FirstId"/>: what the exchange sent,
/// what its REST history serves and what the bench compares the pipeline against. An hour at 2,000 trades/s is a few
/// tens of megabytes of times.
/// </summary>
internal sealed class SymbolTape(string symbol, long firstId, decimal basePrice, decimal priceStep, decimal quantityUnit)
{
    private readonly List<long> _times = [];
    private readonly Lock _gate = new();

    public string Symbol => symbol;

    public long FirstId => firstId;

    public int Count
    {
        get { lock (_gate) { return _times.Count; } }
    }

    /// <summary>Makes the next trade at <paramref name="timeUs"/>.</summary>
    public ChaosTrade Make(long timeUs)
    {
        lock (_gate)
        {
            _times.Add(timeUs);
            return At(_times.Count - 1);
        }
    }

    /// <summary>Up to <paramref name="limit"/> trades from id <paramref name="fromId"/> on, oldest first.</summary>
    public IReadOnlyList<ChaosTrade> FromId(long fromId, int limit)
    {
        lock (_gate) { return Range((int)Math.Clamp(fromId - firstId, 0, _times.Count), limit); }
    }

    /// <summary>Up to <paramref name="limit"/> trades at or after <paramref name="timeUs"/> (strictly after when <paramref name="strictly"/>), oldest first.</summary>
    public IReadOnlyList<ChaosTrade> FromTime(long timeUs, int limit, bool strictly = false)
    {
        lock (_gate) { return Range(FirstIndexAfter(strictly ? timeUs : timeUs - 1), limit); }
    }

    /// <summary>Up to <paramref name="limit"/> of the newest trades at or after <paramref name="startUs"/> and before <paramref name="endUs"/>, newest first.</summary>
    public IReadOnlyList<ChaosTrade> NewestBetween(long startUs, long endUs, int limit)
    {
        lock (_gate)
        {
            var end = FirstIndexAfter(endUs - 1);
            var start = Math.Max(FirstIndexAfter(startUs - 1), end - limit);
            var trades = Range(start, end - start);
            trades.Reverse();
            return trades;
        }
    }

    /// <summary>Every trade made so far, oldest first.</summary>
    public IReadOnlyList<ChaosTrade> All()
    {
        lock (_gate) { return Range(0, _times.Count); }
    }

    private List<ChaosTrade> Range(int start, int limit)
    {
        var end = Math.Min(_times.Count, start + Math.Max(0, limit));
        var trades = new List<ChaosTrade>(Math.Max(0, end - start));
        for (var i = start; i < end; i++) { trades.Add(At(i)); }
        return trades;
    }

    /// <summary>Index of the first trade later than <paramref name="timeUs"/> (times never decrease).</summary>
    private int FirstIndexAfter(long timeUs)
    {
        int low = 0, high = _times.Count;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (_times[mid] <= timeUs) { low = mid + 1; } else { high = mid; }
        }

        return low;
    }

    private ChaosTrade At(int index)
    {
        var id = firstId + index;
        return new ChaosTrade(symbol, id, basePrice + (priceStep * (id * 7919 % 2001)), quantityUnit * (1 + (id % 313)), _times[index], id % 3 != 0);
    }
}
