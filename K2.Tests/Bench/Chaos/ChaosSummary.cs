using System.Globalization;
using System.Text;

namespace K2.Bench.Chaos;

/// <summary>The terminal summary of a chaos run: trades per layer, candles, recovery per fault, resources.</summary>
internal static class ChaosSummary
{
    public static string Table(ChaosRun run, IReadOnlyList<SymbolCounts> counts, IReadOnlyList<CandleCheck> candles, TimeSpan target)
    {
        var text = new StringBuilder("\nTRADES  exchange symbol         generated   lost/duplicated: bronze  cold bronze   silver      cold silver\n");
        foreach (var c in counts)
        {
            text.Append(CultureInfo.InvariantCulture, $"        {c.Exchange,-8} {c.Symbol,-12} {c.Generated,11:N0}   {Layer(c.Bronze),25}  {Layer(c.ColdBronze),-12}  {Layer(c.Silver),-10}  {Layer(c.ColdSilver)}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"        {"all",-21} {counts.Sum(c => c.Generated),11:N0}   {Sum(counts, c => c.Bronze),25}  {Sum(counts, c => c.ColdBronze),-12}  {Sum(counts, c => c.Silver),-10}  {Sum(counts, c => c.ColdSilver)}\n");
        text.Append("        (rN: N more copies of a Kafka record already held, same topic, partition and offset)\n");
        text.Append("\nCANDLES interval  hot equal/expected   cold equal/expected\n");
        foreach (var interval in candles.GroupBy(c => c.Interval))
        {
            var hot = interval.Single(c => c.Tier == "hot");
            var cold = interval.Single(c => c.Tier == "cold");
            text.Append(CultureInfo.InvariantCulture, $"        {interval.Key,-8}  {Candles(hot),-19}  {Candles(cold)}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"\nFAULTS  at (s)  fault                      recovery (s, target {target.TotalSeconds:0})\n");
        foreach (var f in run.Faults)
        {
            var recovery = !f.Injected ? $"not injected: {f.Note}"
                : string.Join(", ", f.Recovery.Select(r => $"{r.Key} {(r.Value is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) : "none")}{(f.MaskedBy.TryGetValue(r.Key, out var other) ? $" (during {other})" : "")}"));
            text.Append(CultureInfo.InvariantCulture, $"        {f.Began ?? f.PlannedAt,6:0.0}  {f.Name,-26} {recovery}\n");
        }

        var all = run.Faults.SelectMany(f => f.Unmasked).Where(v => v is not null).Select(v => v!.Value).ToList();
        if (all.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"        from faults alone: max {all.Max():0.0} s, p95 {BenchReport.Percentile(all, 95):0.0} s over {all.Count} recoveries\n");
        }

        text.Append("\nMINUTE  rss max (MB)  cpu (%)\n");
        foreach (var m in run.Minutes) { text.Append(CultureInfo.InvariantCulture, $"        {m.Minute,3}  {m.RssMaxMegabytes,10:0}  {m.CpuPercent,7:0}\n"); }
        text.Append(CultureInfo.InvariantCulture, $"\nspool peak: {run.SpoolPeakRecords:N0} records, {run.SpoolPeakBytes / 1048576:0.0} MB\n");
        return text.ToString();
    }

    private static string Layer(LayerCount layer) => string.Create(CultureInfo.InvariantCulture,
        $"{layer.Lost:N0}/{layer.Duplicated:N0}{(layer.Redelivered > 0 ? $" r{layer.Redelivered:N0}" : "")}{(layer.Unknown > 0 ? $" +{layer.Unknown:N0}?" : "")}");

    private static string Sum(IReadOnlyList<SymbolCounts> counts, Func<SymbolCounts, LayerCount> layer) =>
        Layer(new LayerCount(0, 0, counts.Sum(c => layer(c).Lost), counts.Sum(c => layer(c).Duplicated), counts.Sum(c => layer(c).Redelivered), counts.Sum(c => layer(c).Unknown)));

    private static string Candles(CandleCheck check) => string.Create(CultureInfo.InvariantCulture, $"{check.Equal}/{check.Expected}{(check.AllEqual ? "" : " DIFFER")}");
}
