using System.Globalization;
using K2.Core.Health;
using K2.Core.Trades;
using K2.Exchanges.Pipeline;
using K2.Exchanges.Sessions;

namespace K2.Exchanges;

/// <summary>
/// The Exchanges section of <c>k2 status</c> (per exchange) and the feed board of the web console (per exchange and
/// symbol): connections, trades/s over the last minute, last trade age and the gap ledger. Trade totals are sampled
/// every 5 s so the rate is recent, not a lifetime average.
/// </summary>
internal sealed class ExchangesStatus : IStatusContributor, IFeedBoard, IDisposable
{
    private const int OpenGapsListed = 10;
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(1);

    private readonly IEnumerable<ExchangeIngestor> _ingestors;
    private readonly TimeProvider _clock;
    private readonly Queue<TradeTotals> _samples = new();
    private readonly Lock _gate = new();
    private readonly ITimer _sampler;

    public ExchangesStatus(IEnumerable<ExchangeIngestor> ingestors, TimeProvider clock)
    {
        _ingestors = ingestors;
        _clock = clock;
        _sampler = clock.CreateTimer(_ => Sample(), null, TimeSpan.Zero, SampleEvery);
    }

    public int Order => 20;

    public StatusSection Snapshot()
    {
        var rows = new List<IReadOnlyList<string>>();
        var notes = new List<string>();
        var now = _clock.GetUtcNow();
        var rates = Rates();
        foreach (var ingestor in _ingestors)
        {
            var exchange = ingestor.Exchange.ToWire();
            var gaps = ingestor.Gaps();
            string Count(GapStatus status) => gaps.Count(g => g.Status == status).ToString(CultureInfo.InvariantCulture);
            var last = LastTrades().Where(p => p.Key.Exchange == exchange).Select(p => (DateTimeOffset?)p.Value).Max();
            var rate = rates.Where(p => p.Key.Exchange == exchange).Select(p => p.Value).ToArray();
            rows.Add([exchange, ingestor.Check().Detail, ingestor.Groups.Sum(g => g.Count).ToString(CultureInfo.InvariantCulture),
                rate.Length == 0 ? "-" : rate.Sum().ToString("F1", CultureInfo.InvariantCulture), Age(now, last),
                Count(GapStatus.Open), Count(GapStatus.Filled), Count(GapStatus.Absent), Count(GapStatus.Lost)]);
            notes.AddRange(gaps.Where(g => g.Status == GapStatus.Open).Take(OpenGapsListed).Select(g => $"open gap: {exchange} {g}"));
        }

        return new StatusSection("Exchanges", ["EXCHANGE", "CONNECTIONS", "SYMBOLS", "TRADES/S (1m)", "LAST TRADE", "GAPS OPEN", "FILLED", "ABSENT", "LOST (recent)"], rows, notes);
    }

    public IReadOnlyList<FeedState> Feeds()
    {
        var rates = Rates();
        var histories = RateHistories();
        var lastTrades = LastTrades();
        var feeds = new List<FeedState>();
        foreach (var ingestor in _ingestors)
        {
            var exchange = ingestor.Exchange.ToWire();
            var gaps = ingestor.Gaps().ToLookup(g => g.Symbol, StringComparer.Ordinal);
            foreach (var (symbols, streaming) in ingestor.Streams)
            {
                foreach (var symbol in symbols)
                {
                    var own = gaps[symbol.Wire];
                    int Count(GapStatus status) => own.Count(g => g.Status == status);
                    feeds.Add(new FeedState(exchange, symbol.Wire, symbol.Canonical, streaming, rates.GetValueOrDefault((exchange, symbol.Wire)),
                        histories.GetValueOrDefault((exchange, symbol.Wire)) ?? [],
                        lastTrades.TryGetValue((exchange, symbol.Wire), out var last) ? last : null,
                        Count(GapStatus.Open), Count(GapStatus.Filled), Count(GapStatus.Absent), Count(GapStatus.Lost)));
                }
            }
        }

        return feeds;
    }

    public void Dispose() => _sampler.Dispose();

    private static string Age(DateTimeOffset now, DateTimeOffset? last) =>
        last is { } at ? $"{Math.Max(0, (now - at).TotalSeconds):F1}s" : "never";

    private void Sample()
    {
        var totals = ExchangeMetrics.Trades.GetAllLabelValues()
            .ToDictionary(labels => (labels[0], labels[1]), labels => ExchangeMetrics.Trades.WithLabels(labels).Value);
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            _samples.Enqueue(new TradeTotals(now, totals));
            while (_samples.Count > 2 && now - _samples.Peek().At > RateWindow) { _samples.Dequeue(); }
        }
    }

    /// <summary>Trades per second from the oldest to the newest sample of the last minute, per (exchange, symbol); empty before two samples.</summary>
    private Dictionary<(string Exchange, string Symbol), double> Rates()
    {
        var samples = Samples();
        if (samples.Length < 2) { return []; }
        var (first, latest) = (samples[0], samples[^1]);
        return latest.Totals.ToDictionary(p => p.Key, p => Rate(first, latest, p.Key));
    }

    /// <summary>Trades per second between consecutive samples of the last minute, oldest first, per (exchange, symbol).</summary>
    private Dictionary<(string Exchange, string Symbol), double[]> RateHistories()
    {
        var samples = Samples();
        if (samples.Length < 2) { return []; }
        return samples[^1].Totals.Keys.ToDictionary(key => key, key => samples.Zip(samples.Skip(1), (before, after) => Rate(before, after, key)).ToArray());
    }

    private TradeTotals[] Samples()
    {
        lock (_gate) { return [.. _samples]; }
    }

    private static double Rate(TradeTotals before, TradeTotals after, (string Exchange, string Symbol) key) =>
        (after.Totals.GetValueOrDefault(key) - before.Totals.GetValueOrDefault(key)) / (after.At - before.At).TotalSeconds;

    private static Dictionary<(string Exchange, string Symbol), DateTimeOffset> LastTrades() =>
        ExchangeMetrics.LastTradeTimestamp.GetAllLabelValues()
            .Select(labels => (Key: (labels[0], labels[1]), Seconds: ExchangeMetrics.LastTradeTimestamp.WithLabels(labels).Value))
            .Where(p => p.Seconds > 0)
            .ToDictionary(p => p.Key, p => DateTimeOffset.FromUnixTimeMilliseconds((long)(p.Seconds * 1000)));

    /// <summary>The unique-trade counters of every (exchange, symbol) at one moment.</summary>
    private readonly record struct TradeTotals(DateTimeOffset At, Dictionary<(string Exchange, string Symbol), double> Totals);
}
