using System.Text.Json.Serialization;

namespace K2.Bench.Chaos;

/// <summary>
/// One fault as it happened: when it began and ended (seconds from the start of trading), and how long after its end a
/// trade made after that end was first in silver, for each exchange it held up.
/// </summary>
internal sealed class FaultRecord(Fault fault)
{
    [JsonPropertyName("fault")] public string Name => fault.Name;

    [JsonPropertyName("planned_at_s")] public double PlannedAt => fault.PlannedAtSeconds;

    [JsonPropertyName("injected")] public bool Injected => Began is not null;

    [JsonPropertyName("began_s")] public double? Began { get; set; }

    [JsonPropertyName("ended_s")] public double? Ended { get; set; }

    [JsonPropertyName("note")] public string? Note { get; set; }

    /// <summary>Seconds from the end to the first later trade in silver, per exchange; null where none came.</summary>
    [JsonPropertyName("recovery_s")] public Dictionary<string, double?> Recovery { get; } = [];

    /// <summary>Per exchange, the other fault under way while it recovered from this one: its recovery is not this fault's alone.</summary>
    [JsonPropertyName("masked_by")] public Dictionary<string, string> MaskedBy { get; } = [];

    [JsonIgnore] public Fault Fault => fault;

    /// <summary>Recoveries from this fault alone.</summary>
    [JsonIgnore] public IEnumerable<double?> Unmasked => Recovery.Where(r => !MaskedBy.ContainsKey(r.Key)).Select(r => r.Value);
}
