using K2.Core.Trades;
using K2.Exchanges.Parsing;
using K2.Instruments;

namespace K2.Exchanges.Pipeline;

/// <summary>
/// Parser → normalizer → dedup/gap ledger for one exchange: the one path both the live sessions and
/// <c>k2 normalize</c> use. Thread-safe: several connections of one exchange (shards, rotation overlap)
/// and REST backfill share it, so duplicates across them are caught.
/// </summary>
internal sealed class FramePipeline
{
    private readonly Lock _gate = new();
    private readonly List<ParsedTrade> _scratch = [];
    private readonly IExchangeAdapter _adapter;
    private readonly TimeProvider _clock;
    private readonly string _exchangeLabel;
    private readonly Prometheus.Counter.Child _frames;
    private readonly Prometheus.Histogram.Child _latency;
    private readonly Dictionary<string, (Prometheus.Counter.Child Trades, Prometheus.Counter.Child Duplicates)> _symbolCounters = new(StringComparer.Ordinal);
    private ITradeFrameParser _parser;

    /// <summary>The pipeline of <paramref name="adapter"/>'s exchange over <paramref name="instruments"/>, with a dedup window per its options.</summary>
    public FramePipeline(IExchangeAdapter adapter, InstrumentSet instruments, TimeProvider clock)
    {
        _adapter = adapter;
        Symbols = SymbolTable.From(adapter, instruments);
        _parser = adapter.CreateParser(Symbols);
        _clock = clock;
        Ledger = new TradeLedger(adapter.Exchange, adapter.Options.DedupWindowPerSymbol);
        _exchangeLabel = adapter.Exchange.ToWire();
        _frames = ExchangeMetrics.Frames.WithLabels(_exchangeLabel);
        _latency = ExchangeMetrics.Latency.WithLabels(_exchangeLabel);
        Ledger.GapChanged += OnGapChanged;
    }

    public Exchange Exchange => Ledger.Exchange;

    public TradeLedger Ledger { get; }

    public SymbolTable Symbols { get; private set; }

    /// <summary>Trades dropped as duplicates since the pipeline was created.</summary>
    public long DuplicateCount { get; private set; }

    /// <summary>Swaps in a new symbol table after an instruments reload; in-flight frames finish with the old one.</summary>
    public void UpdateSymbols(InstrumentSet instruments)
    {
        var symbols = SymbolTable.From(_adapter, instruments);
        lock (_gate)
        {
            Symbols = symbols;
            _parser = _adapter.CreateParser(symbols);
        }
    }

    /// <summary>Parses <paramref name="frame"/> and appends its unique trades to <paramref name="unique"/>.</summary>
    public FrameOutcome Process(ReadOnlySpan<byte> frame, long receiveTimestampUs, List<NormalizedTrade> unique)
    {
        lock (_gate)
        {
            _frames.Inc();
            _scratch.Clear();
            var outcome = _parser.Parse(frame, receiveTimestampUs, _scratch);
            AcceptLocked(_scratch, receiveTimestampUs, unique, live: true);
            return outcome;
        }
    }

    /// <summary>Trades recovered over REST: deduplicated and fed to the gap ledger like live ones (but not timed as received live).</summary>
    public void AcceptBackfill(IReadOnlyList<ParsedTrade> trades, List<NormalizedTrade> unique)
    {
        lock (_gate) { AcceptLocked(trades, UnixNow(), unique, live: false); }
    }

    /// <summary>Runs <paramref name="action"/> on the ledger under the pipeline's lock.</summary>
    public T WithLedger<T>(Func<TradeLedger, T> action)
    {
        lock (_gate) { return action(Ledger); }
    }

    private void AcceptLocked(IReadOnlyList<ParsedTrade> trades, long receiveTimestampUs, List<NormalizedTrade> unique, bool live)
    {
        for (var i = 0; i < trades.Count; i++)
        {
            var parsed = trades[i];
            var trade = parsed.Trade;
            if (Ledger.Accept(trade.Symbol, parsed.Id, trade.ExchangeTimestampUs, receiveTimestampUs))
            {
                unique.Add(trade);
                CountersOf(trade.Symbol).Trades.Inc();
                if (live) { _latency.Observe((receiveTimestampUs - trade.ExchangeTimestampUs) / 1e6); }
            }
            else
            {
                DuplicateCount++;
                CountersOf(trade.Symbol).Duplicates.Inc();
            }
        }

        if (unique.Count > 0) { ExchangeMetrics.LastTradeTimestamp.WithLabels(_exchangeLabel, unique[^1].Symbol).Set(receiveTimestampUs / 1e6); }
    }

    private (Prometheus.Counter.Child Trades, Prometheus.Counter.Child Duplicates) CountersOf(string symbol)
    {
        if (!_symbolCounters.TryGetValue(symbol, out var counters))
        {
            counters = (ExchangeMetrics.Trades.WithLabels(_exchangeLabel, symbol), ExchangeMetrics.Duplicates.WithLabels(_exchangeLabel, symbol));
            _symbolCounters.Add(symbol, counters);
        }

        return counters;
    }

    private void OnGapChanged(Gap gap)
    {
        var open = ExchangeMetrics.GapsOpen.WithLabels(_exchangeLabel, gap.Symbol);
        if (gap.Status == GapStatus.Open)
        {
            open.Inc();
            ExchangeMetrics.GapsOpened.WithLabels(_exchangeLabel, gap.Symbol).Inc();
        }
        else
        {
            open.Dec();
            ExchangeMetrics.GapsClosed.WithLabels(_exchangeLabel, gap.Symbol, gap.Status.ToString().ToLowerInvariant()).Inc();
            if (gap.Status == GapStatus.Lost) { ExchangeMetrics.LostTrades.WithLabels(_exchangeLabel, gap.Symbol).Inc(gap.Remaining); }
        }
    }

    private long UnixNow() => K2.Core.Time.UnixMicros.Now(_clock);
}
