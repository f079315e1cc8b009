using System.Text.Json;
using System.Text.Json.Serialization;
using K2.Core.Trades;
using K2.Exchanges.Pipeline;

namespace K2.Daemon.Replay;

/// <summary>The JSON that <c>k2 replay</c> prints.</summary>
internal sealed record ReplaySummary(
    [property: JsonPropertyName("data_dir")] string DataDir,
    [property: JsonPropertyName("warehouse")] string Warehouse,
    [property: JsonPropertyName("inputs")] IReadOnlyList<ReplaySummary.Feed> Inputs,
    [property: JsonPropertyName("tables")] IReadOnlyList<ReplaySummary.Table> Tables)
{
    public sealed record Feed(
        [property: JsonPropertyName("exchange")] string Exchange,
        [property: JsonPropertyName("file")] string File,
        [property: JsonPropertyName("lines")] int Lines,
        [property: JsonPropertyName("trades")] int Trades,
        [property: JsonPropertyName("duplicates_dropped")] int Duplicates,
        [property: JsonPropertyName("rejects")] int Rejects,
        [property: JsonPropertyName("gaps_open")] int GapsOpen,
        [property: JsonPropertyName("gaps_lost")] int GapsLost)
    {
        public static Feed From(CaptureReplayer.Result result) => new(
            result.Exchange.ToWire(), result.Path, result.Lines, result.Trades, result.Duplicates, result.Rejected, result.GapsOpen, result.GapsLost);
    }

    public sealed record Table(
        [property: JsonPropertyName("cold_table")] string Cold,
        [property: JsonPropertyName("hot_table")] string Hot,
        [property: JsonPropertyName("hot_rows")] long HotRows,
        [property: JsonPropertyName("cold_rows")] long ColdRows,
        [property: JsonPropertyName("location")] string Location);

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true });
}
