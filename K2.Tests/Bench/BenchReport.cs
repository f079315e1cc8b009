using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace K2.Bench;

/// <summary>The JSON figures a scenario prints. Absent figures are omitted.</summary>
internal sealed class BenchReport
{
    [JsonPropertyName("scenario")] public required string Scenario { get; init; }
    [JsonPropertyName("records")] public long Records { get; init; }
    [JsonPropertyName("seconds")] public double Seconds { get; init; }
    [JsonPropertyName("records_per_second")] public double RecordsPerSecond => Seconds > 0 ? Math.Round(Records / Seconds, 1) : 0;
    [JsonPropertyName("bytes")] public long? Bytes { get; init; }
    [JsonPropertyName("mb_per_second")] public double? MegabytesPerSecond => Bytes is { } b && Seconds > 0 ? Math.Round(b / 1048576.0 / Seconds, 2) : null;
    [JsonPropertyName("p50_ms")] public double? P50Milliseconds { get; init; }
    [JsonPropertyName("p99_ms")] public double? P99Milliseconds { get; init; }
    [JsonPropertyName("allocated_bytes_per_record")] public double? AllocatedBytesPerRecord { get; init; }
    [JsonPropertyName("peak_rss_mb")] public double PeakRssMegabytes { get; init; } = ProcessFigures.PeakRssMegabytes();
    [JsonPropertyName("cores")] public int Cores { get; init; } = Environment.ProcessorCount;
    [JsonPropertyName("details")] public Dictionary<string, object>? Details { get; init; }

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Latency percentile from samples in milliseconds (nearest rank).</summary>
    public static double Percentile(List<double> samples, double percentile)
    {
        if (samples.Count == 0) { return 0; }
        samples.Sort();
        var rank = (int)Math.Ceiling(percentile / 100.0 * samples.Count) - 1;
        return Math.Round(samples[Math.Clamp(rank, 0, samples.Count - 1)], 3);
    }
}

internal static class ProcessFigures
{
    /// <summary>Peak resident set size (VmHWM) of this process in MiB.</summary>
    public static double PeakRssMegabytes()
    {
        if (StatusMegabytes("VmHWM:") is { } peak) { return peak; }
        using var process = Process.GetCurrentProcess();
        return Math.Round(process.PeakWorkingSet64 / 1048576.0, 1);
    }

    /// <summary>
    /// Restarts the peak (VmHWM) at the current RSS, so that a scenario's peak covers its measured phase and not the
    /// set-up before it; false where the kernel does not allow it.
    /// </summary>
    public static bool ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Resident set size (VmRSS) of this process in MiB.</summary>
    public static double RssMegabytes()
    {
        if (StatusMegabytes("VmRSS:") is { } rss) { return rss; }
        using var process = Process.GetCurrentProcess();
        return Math.Round(process.WorkingSet64 / 1048576.0, 1);
    }

    /// <summary>A kB figure from /proc/self/status in MiB, or null where there is no such file or line.</summary>
    private static double? StatusMegabytes(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    var kb = long.Parse(line.AsSpan(key.Length).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    return Math.Round(kb / 1024.0, 1);
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}
