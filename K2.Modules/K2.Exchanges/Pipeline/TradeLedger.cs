using K2.Core.Trades;

namespace K2.Exchanges.Pipeline;

/// <summary>
/// Dedup on (exchange, symbol, trade_id) and the gap ledger of one exchange, with bounded memory:
/// per symbol the last <c>windowPerSymbol</c> ids seen, the highest id, and at most
/// <c>maxOpenGapsPerSymbol</c> open gaps (the oldest is declared lost beyond that). An id below the
/// window that is not in an open gap counts as a duplicate: it was seen and has been forgotten. A symbol
/// resumed after a restart (<see cref="Resume"/>) starts from its newest stored trade: ids up to it are
/// duplicates, and the first id after a jump opens the gap the daemon was down for.
/// A symbol's window is allocated whole on its first trade and never resized, so memory does not creep
/// up while it fills (about 1.8 MB per symbol at the default 65,536 ids). Not thread-safe; <see cref="FramePipeline"/> serialises access.
/// </summary>
internal sealed class TradeLedger(Exchange exchange, int windowPerSymbol = 65_536, int maxOpenGapsPerSymbol = 256, int closedGapsKept = 256)
{
    private readonly Dictionary<string, SymbolTrack> _tracks = new(StringComparer.Ordinal);
    private readonly Queue<Gap> _closed = new();

    private sealed class SymbolTrack(int capacity)
    {
        public readonly HashSet<long> Seen = new(capacity);
        public readonly Queue<long> Order = new(capacity);
        public readonly List<Gap> OpenGaps = [];
        public long Highest = long.MinValue;
        public long HighestTimestampUs;
        public long MaxEvicted = long.MinValue;
    }

    public Exchange Exchange { get; } = exchange;

    /// <summary>Raised when a gap opens or closes (under the pipeline's lock).</summary>
    public event Action<Gap>? GapChanged;

    /// <summary>True when the trade is new; false for a duplicate. Opens and fills gaps.</summary>
    public bool Accept(string symbol, long id, long exchangeTimestampUs, long nowUs)
    {
        if (!_tracks.TryGetValue(symbol, out var track))
        {
            track = new SymbolTrack(windowPerSymbol);
            _tracks.Add(symbol, track);
        }

        if (track.Seen.Contains(id)) { return false; }
        if (id > track.Highest)
        {
            if (track.Highest != long.MinValue && id > track.Highest + 1)
            {
                Open(track, new Gap(symbol, track.Highest + 1, id - 1, track.HighestTimestampUs, exchangeTimestampUs, nowUs));
            }

            track.Highest = id;
            track.HighestTimestampUs = exchangeTimestampUs;
        }
        else
        {
            switch (Fill(track, id, nowUs))
            {
                case GapFill.AlreadyArrived:
                case GapFill.NotInGap when id <= track.MaxEvicted:
                    return false;
            }
        }

        Remember(track, id);
        return true;
    }

    /// <summary>
    /// Starts <paramref name="symbol"/> from its newest durably stored trade: ids up to <paramref name="id"/> count as
    /// duplicates, and the first later id opens a gap from it. Ignored for a symbol the ledger already tracks.
    /// </summary>
    public void Resume(string symbol, long id, long exchangeTimestampUs)
    {
        if (_tracks.ContainsKey(symbol)) { return; }
        _tracks.Add(symbol, new SymbolTrack(windowPerSymbol) { Highest = id, HighestTimestampUs = exchangeTimestampUs, MaxEvicted = id });
    }

    /// <summary>
    /// Reopens, for a resumed symbol, ids missing below its resume point that the store found (trades lost after newer
    /// ones were stored): the gap is backfilled like one seen live.
    /// </summary>
    public void ReopenGap(string symbol, long firstMissing, long lastMissing, long beforeTimestampUs, long afterTimestampUs, long nowUs)
    {
        if (!_tracks.TryGetValue(symbol, out var track) || firstMissing > lastMissing || lastMissing >= track.Highest) { return; }
        if (track.OpenGaps.Any(g => g.Contains(firstMissing) || g.Contains(lastMissing))) { return; }
        Open(track, new Gap(symbol, firstMissing, lastMissing, beforeTimestampUs, afterTimestampUs, nowUs));
    }

    public IReadOnlyList<Gap> OpenGaps() => _tracks.Values.SelectMany(t => t.OpenGaps).ToArray();

    /// <summary>Open gaps plus the most recently closed ones, for status output.</summary>
    public IReadOnlyList<Gap> RecentGaps() => OpenGaps().Concat(_closed).ToArray();

    public void Close(Gap gap, GapStatus status, long nowUs)
    {
        if (gap.Status != GapStatus.Open || !_tracks.TryGetValue(gap.Symbol, out var track)) { return; }
        track.OpenGaps.Remove(gap);
        gap.Status = status;
        gap.ClosedAtUs = nowUs;
        _closed.Enqueue(gap);
        while (_closed.Count > closedGapsKept) { _closed.Dequeue(); }
        GapChanged?.Invoke(gap);
    }

    private void Open(SymbolTrack track, Gap gap)
    {
        track.OpenGaps.Add(gap);
        GapChanged?.Invoke(gap);
        if (gap.Size > Gap.MaxIds) { Close(gap, GapStatus.Lost, gap.OpenedAtUs); }
        if (track.OpenGaps.Count > maxOpenGapsPerSymbol) { Close(track.OpenGaps[0], GapStatus.Lost, gap.OpenedAtUs); }
    }

    private enum GapFill : byte { NotInGap, Filled, AlreadyArrived }

    private GapFill Fill(SymbolTrack track, long id, long nowUs)
    {
        foreach (var gap in track.OpenGaps)
        {
            if (!gap.Contains(id)) { continue; }
            if (!gap.TryFill(id)) { return GapFill.AlreadyArrived; }
            if (gap.Remaining == 0) { Close(gap, GapStatus.Filled, nowUs); }
            return GapFill.Filled;
        }

        return GapFill.NotInGap;
    }

    private void Remember(SymbolTrack track, long id)
    {
        // Evicting first keeps both collections within the capacity they were created with.
        if (track.Order.Count == windowPerSymbol)
        {
            var evicted = track.Order.Dequeue();
            track.Seen.Remove(evicted);
            if (evicted > track.MaxEvicted) { track.MaxEvicted = evicted; }
        }

        track.Seen.Add(id);
        track.Order.Enqueue(id);
    }
}
