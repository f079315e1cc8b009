using System.Text.Json.Serialization;

namespace K2.Daemon.Bench;

/// <summary>Resident set size after warm-up: flat when the largest sample is within the tolerance of the smallest.</summary>
internal sealed record RssFigures(
    [property: JsonPropertyName("warmup_seconds")] double WarmUpSeconds,
    [property: JsonPropertyName("samples")] int Samples,
    [property: JsonPropertyName("min")] double Min,
    [property: JsonPropertyName("max")] double Max,
    [property: JsonPropertyName("last")] double Last,
    [property: JsonPropertyName("spread_percent")] double SpreadPercent,
    [property: JsonPropertyName("tolerance_percent")] double TolerancePercent,
    [property: JsonPropertyName("flat")] bool Flat)
{
    public static RssFigures From(IReadOnlyList<double> samples, TimeSpan warmUp, double tolerancePercent)
    {
        if (samples.Count == 0)
        {
            return new RssFigures(warmUp.TotalSeconds, 0, 0, 0, 0, 0, tolerancePercent, Flat: false);
        }

        var min = samples.Min();
        var max = samples.Max();
        var spread = Math.Round((max - min) / min * 100, 2);
        return new RssFigures(Math.Round(warmUp.TotalSeconds, 1), samples.Count, min, max, samples[^1], spread, tolerancePercent, spread <= tolerancePercent);
    }
}
