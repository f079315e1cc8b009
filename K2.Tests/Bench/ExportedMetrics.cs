using System.Globalization;
using System.Text;
using Prometheus;

namespace K2.Bench;

/// <summary>
/// The process's metrics as <c>/metrics</c> exports them, read in-process from prometheus-net's registry: a benchmark
/// measures with the figures operators see, and production code carries no benchmark hooks.
/// </summary>
internal sealed class ExportedMetrics
{
    private readonly Dictionary<string, double> _series;

    private ExportedMetrics(Dictionary<string, double> series) => _series = series;

    /// <summary>Every series now, by its exposition name with labels, e.g. <c>k2_kafka_records_acked_total{kind="trade"}</c>.</summary>
    public static async Task<ExportedMetrics> ScrapeAsync(CancellationToken cancellationToken)
    {
        using var text = new MemoryStream();
        await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(text, cancellationToken);
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length).Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') { continue; }
            var space = line.LastIndexOf(' ');
            series[line[..space]] = Number(line[(space + 1)..]);
        }

        return new ExportedMetrics(series);
    }

    /// <summary>A series' value; 0 for a series not exported yet (a labelled child nobody has touched).</summary>
    public double Value(string series) => _series.GetValueOrDefault(series);

    /// <summary>
    /// The <paramref name="quantile"/> of what histogram <paramref name="name"/> observed between <paramref name="before"/>
    /// and this scrape, interpolated within its buckets as Prometheus's <c>histogram_quantile</c> does; 0 when nothing was.
    /// </summary>
    public double Quantile(string name, ExportedMetrics before, double quantile)
    {
        var buckets = Buckets(name).Select(b => (b.UpperBound, Count: b.Count - before.Value(b.Series))).ToList();
        var total = buckets.Count == 0 ? 0 : buckets[^1].Count;
        if (total <= 0) { return 0; }
        var rank = quantile * total;
        double lowerBound = 0, lowerCount = 0;
        foreach (var (upperBound, count) in buckets)
        {
            if (count >= rank)
            {
                return double.IsPositiveInfinity(upperBound) ? lowerBound : lowerBound + ((upperBound - lowerBound) * (rank - lowerCount) / (count - lowerCount));
            }

            (lowerBound, lowerCount) = (upperBound, count);
        }

        return lowerBound;
    }

    /// <summary>The cumulative buckets of an unlabelled histogram, lowest bound first.</summary>
    private IEnumerable<(string Series, double UpperBound, double Count)> Buckets(string name)
    {
        var prefix = $"{name}_bucket{{le=\"";
        return _series
            .Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(s => (s.Key, Number(s.Key[prefix.Length..^2]), s.Value))
            .OrderBy(b => b.Item2);
    }

    private static double Number(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
