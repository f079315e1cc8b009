using System.Text.Json.Serialization;

namespace K2.Bench;

/// <summary>
/// Resident set size after warm-up, computed from the samples: flat when every sample lies within the tolerance of
/// their median, the level RSS holds. <see cref="SpreadPercent"/> (largest over smallest) also counts the working memory
/// of an offload run caught mid-run on top of the trough between runs; <see cref="ChangePercent"/> is the trend from
/// the first sample after warm-up to the last.
/// </summary>
internal sealed record RssFigures(
    [property: JsonPropertyName("warmup_seconds")] double WarmUpSeconds,
    [property: JsonPropertyName("samples")] int Samples,
    [property: JsonPropertyName("first")] double First,
    [property: JsonPropertyName("min")] double Min,
    [property: JsonPropertyName("max")] double Max,
    [property: JsonPropertyName("last")] double Last,
    [property: JsonPropertyName("median")] double Median,
    [property: JsonPropertyName("deviation_percent")] double DeviationPercent,
    [property: JsonPropertyName("change_percent")] double ChangePercent,
    [property: JsonPropertyName("spread_percent")] double SpreadPercent,
    [property: JsonPropertyName("tolerance_percent")] double TolerancePercent,
    [property: JsonPropertyName("flat")] bool Flat)
{
    public static RssFigures From(IReadOnlyList<double> samples, TimeSpan warmUp, double tolerancePercent)
    {
        if (samples.Count == 0)
        {
            return new RssFigures(warmUp.TotalSeconds, 0, 0, 0, 0, 0, 0, 0, 0, 0, tolerancePercent, Flat: false);
        }

        var min = samples.Min();
        var max = samples.Max();
        var sorted = samples.Order().ToList();
        var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        var deviation = Math.Round(Math.Max(max - median, median - min) / median * 100, 2);
        var spread = Math.Round((max - min) / min * 100, 2);
        var change = Math.Round((samples[^1] - samples[0]) / samples[0] * 100, 2);
        return new RssFigures(
            Math.Round(warmUp.TotalSeconds, 1), samples.Count, samples[0], min, max, samples[^1], median, deviation, change, spread, tolerancePercent,
            deviation <= tolerancePercent);
    }
}
