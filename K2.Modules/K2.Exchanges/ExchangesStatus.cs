using System.Globalization;
using K2.Core.Health;
using K2.Exchanges.Pipeline;
using K2.Exchanges.Sessions;

namespace K2.Exchanges;

/// <summary>
/// The Exchanges section of <c>k2 status</c>: connections, trades/s over the last minute, last trade age and
/// the gap ledger per exchange. Trade totals are sampled every 5 s so the rate is recent, not a lifetime average.
/// </summary>
internal sealed class ExchangesStatus : IStatusContributor, IDisposable
{
    private const int OpenGapsListed = 10;
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(1);

    private readonly IEnumerable<ExchangeIngestor> _ingestors;
    private readonly TimeProvider _clock;
    private readonly Queue<(DateTimeOffset At, Dictionary<string, double> Totals)> _samples = new();
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
            var exchange = ingestor.Name["exchange:".Length..];
            var gaps = ingestor.Gaps();
            string Count(GapStatus status) => gaps.Count(g => g.Status == status).ToString(CultureInfo.InvariantCulture);
            var last = LastTradeSeconds(exchange);
            var age = last is { } seconds ? $"{Math.Max(0, now.ToUnixTimeMilliseconds() / 1000.0 - seconds):F1}s" : "never";
            rows.Add([exchange, ingestor.Check().Detail, ingestor.Groups.Sum(g => g.Count).ToString(CultureInfo.InvariantCulture),
                rates.TryGetValue(exchange, out var rate) ? rate.ToString("F1", CultureInfo.InvariantCulture) : "-", age,
                Count(GapStatus.Open), Count(GapStatus.Filled), Count(GapStatus.Absent), Count(GapStatus.Lost)]);
            notes.AddRange(gaps.Where(g => g.Status == GapStatus.Open).Take(OpenGapsListed).Select(g => $"open gap: {exchange} {g}"));
        }

        return new StatusSection("Exchanges", ["EXCHANGE", "CONNECTIONS", "SYMBOLS", "TRADES/S (1m)", "LAST TRADE", "GAPS OPEN", "FILLED", "ABSENT", "LOST (recent)"], rows, notes);
    }

    public void Dispose() => _sampler.Dispose();

    private void Sample()
    {
        var totals = ExchangeMetrics.Trades.GetAllLabelValues()
            .GroupBy(labels => labels[0])
            .ToDictionary(g => g.Key, g => g.Sum(labels => ExchangeMetrics.Trades.WithLabels(labels).Value));
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            _samples.Enqueue((now, totals));
            while (_samples.Count > 2 && now - _samples.Peek().At > RateWindow) { _samples.Dequeue(); }
        }
    }

    private Dictionary<string, double> Rates()
    {
        lock (_gate)
        {
            if (_samples.Count < 2) { return []; }
            var (firstAt, first) = _samples.Peek();
            var (lastAt, latest) = _samples.Last();
            var seconds = (lastAt - firstAt).TotalSeconds;
            return latest.ToDictionary(p => p.Key, p => (p.Value - first.GetValueOrDefault(p.Key)) / seconds);
        }
    }

    private static double? LastTradeSeconds(string exchange)
    {
        var values = ExchangeMetrics.LastTradeTimestamp.GetAllLabelValues()
            .Where(labels => labels[0] == exchange)
            .Select(labels => ExchangeMetrics.LastTradeTimestamp.WithLabels(labels).Value)
            .Where(v => v > 0)
            .ToArray();
        return values.Length == 0 ? null : values.Max();
    }
}
