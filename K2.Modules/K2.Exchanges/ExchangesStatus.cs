using System.Globalization;
using K2.Core.Health;
using K2.Exchanges.Pipeline;
using K2.Exchanges.Sessions;

namespace K2.Exchanges;

/// <summary>The Exchanges section of <c>k2 status</c>: streaming connections and the gap ledger per exchange.</summary>
internal sealed class ExchangesStatus(IEnumerable<ExchangeIngestor> ingestors) : IStatusContributor
{
    private const int OpenGapsListed = 10;

    public int Order => 20;

    public StatusSection Snapshot()
    {
        var rows = new List<IReadOnlyList<string>>();
        var notes = new List<string>();
        foreach (var ingestor in ingestors)
        {
            var gaps = ingestor.Gaps();
            string Count(GapStatus status) => gaps.Count(g => g.Status == status).ToString(CultureInfo.InvariantCulture);
            var readiness = ingestor.Check();
            rows.Add([ingestor.Name["exchange:".Length..], readiness.Detail, ingestor.Groups.Sum(g => g.Count).ToString(CultureInfo.InvariantCulture),
                Count(GapStatus.Open), Count(GapStatus.Filled), Count(GapStatus.Absent), Count(GapStatus.Lost)]);
            notes.AddRange(gaps.Where(g => g.Status == GapStatus.Open).Take(OpenGapsListed).Select(g => $"open gap: {ingestor.Name["exchange:".Length..]} {g}"));
        }

        return new StatusSection("Exchanges", ["EXCHANGE", "CONNECTIONS", "SYMBOLS", "GAPS OPEN", "FILLED", "ABSENT", "LOST (recent)"], rows, notes);
    }
}
