using System.Globalization;
using System.Text;
using Prometheus;

namespace K2.Daemon.Bench;

/// <summary>
/// A label-less histogram as the daemon exports it on <c>/metrics</c>, read in-process from a metrics registry:
/// cumulative counts by bucket upper bound. The difference of two readings is what was observed between them;
/// quantiles are estimated as Prometheus's <c>histogram_quantile</c> does, interpolating linearly within a bucket.
/// </summary>
internal sealed class ExportedHistogram
{
    private readonly (double UpperBound, long Cumulative)[] _buckets;

    private ExportedHistogram((double UpperBound, long Cumulative)[] buckets) => _buckets = buckets;

    /// <summary>Observations counted.</summary>
    public long Count => _buckets.Length == 0 ? 0 : _buckets[^1].Cumulative;

    /// <param name="registry">Where the histogram is registered: <see cref="Metrics.DefaultRegistry"/> for the daemon's metrics.</param>
    public static async Task<ExportedHistogram> ReadAsync(CollectorRegistry registry, string name, CancellationToken cancellationToken)
    {
        using var exported = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(exported, cancellationToken);
        var prefix = name + "_bucket{le=\"";
        var buckets = new List<(double, long)>();
        foreach (var line in Encoding.UTF8.GetString(exported.ToArray()).Split('\n'))
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal)) { continue; }
            var bound = line[prefix.Length..line.IndexOf('"', prefix.Length)];
            var count = line[(line.LastIndexOf(' ') + 1)..];
            buckets.Add((bound == "+Inf" ? double.PositiveInfinity : double.Parse(bound, CultureInfo.InvariantCulture), (long)double.Parse(count, CultureInfo.InvariantCulture)));
        }

        return buckets.Count > 0 ? new ExportedHistogram([.. buckets]) : throw new InvalidOperationException($"the metrics registry exports no label-less histogram {name}");
    }

    /// <summary>What was observed after <paramref name="earlier"/> was read.</summary>
    public ExportedHistogram Since(ExportedHistogram earlier) =>
        new([.. _buckets.Select((bucket, i) => (bucket.UpperBound, bucket.Cumulative - earlier._buckets[i].Cumulative))]);

    /// <summary>The <paramref name="quantile"/> (0–1) of the observations, in the histogram's unit; 0 when there are none.</summary>
    public double Quantile(double quantile)
    {
        if (Count == 0) { return 0; }
        var rank = quantile * Count;
        var (lowerBound, below) = (0.0, 0L);
        foreach (var (upperBound, cumulative) in _buckets)
        {
            if (cumulative >= rank)
            {
                // Past the last finite bound only that bound is known, as histogram_quantile answers.
                return double.IsPositiveInfinity(upperBound) ? lowerBound : lowerBound + (upperBound - lowerBound) * (rank - below) / (cumulative - below);
            }

            (lowerBound, below) = (upperBound, cumulative);
        }

        return lowerBound;
    }
}
