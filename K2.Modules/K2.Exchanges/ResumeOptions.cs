using System.ComponentModel.DataAnnotations;

namespace K2.Exchanges;

/// <summary><c>Modules:Exchanges:Resume</c>: recovering the trades the daemon missed while it was down or cut off.</summary>
public sealed class ResumeOptions
{
    /// <summary>
    /// At start, resume each symbol after its newest durably stored trade (what the hot tier holds) and recover the
    /// trades since over REST. Default true.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How far back trades are recovered over REST, in minutes, for a restart and for any other gap: trades older than
    /// this are not fetched and count as lost. Default 60.
    /// </summary>
    [Range(1, 10_080, ErrorMessage = "MaxAgeMinutes must be 1..10080 (a week)")]
    public int MaxAgeMinutes { get; set; } = 60;

    /// <summary>
    /// How long, in seconds, an ingestor keeps asking for its resume points at start while the store does not answer
    /// (ClickHouse still starting); after that it streams without them. Default 60.
    /// </summary>
    [Range(0, 3_600, ErrorMessage = "WaitSeconds must be 0..3600")]
    public int WaitSeconds { get; set; } = 60;

    public TimeSpan MaxAge => TimeSpan.FromMinutes(MaxAgeMinutes);
}
