using System.ComponentModel.DataAnnotations;

namespace K2.Instruments;

public sealed class InstrumentsOptions
{
    public const string SectionName = "Instruments";

    /// <summary>Path of instruments.yaml, relative to the content root. Default <c>instruments.yaml</c>.</summary>
    [Required]
    public string Path { get; set; } = "instruments.yaml";

    /// <summary>How often the file is re-read as a fallback to file-system events, in milliseconds. Default 500.</summary>
    [Range(100, 60_000)]
    public int PollIntervalMilliseconds { get; set; } = 500;
}
