using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Prometheus;

namespace K2.Daemon;

/// <summary>
/// Every metric the daemon can export, found from the static prometheus-net collectors of K2's
/// assemblies, rendered as docs/metrics.md. A test keeps the document equal to this output.
/// </summary>
internal static class MetricsCatalogue
{
    public sealed record Entry(string Name, string Type, string Help, IReadOnlyList<string> Labels);

    public static IReadOnlyList<Entry> Collect()
    {
        var collectors = new List<Collector>();
        foreach (var assembly in K2Assemblies())
        {
            foreach (var type in SafeTypes(assembly))
            {
                var fields = type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
                    .Where(f => typeof(Collector).IsAssignableFrom(f.FieldType))
                    .ToArray();
                if (fields.Length == 0) { continue; }
                RuntimeHelpers.RunClassConstructor(type.TypeHandle);
                collectors.AddRange(fields.Select(f => f.GetValue(null)).OfType<Collector>());
            }
        }

        return collectors
            .DistinctBy(c => c.Name)
            .Select(c => new Entry(c.Name, TypeName(c), c.Help, c.LabelNames))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToArray();
    }

    public static string RenderMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("# K2 metrics catalogue");
        text.AppendLine();
        text.AppendLine("Every metric the daemon exports on `/metrics` (Prometheus text format). Generated from the code:");
        text.AppendLine("a test fails when this file and the code differ; regenerate it with");
        text.AppendLine("`K2_UPDATE_METRICS_DOC=1 scripts/test.sh --filter MetricsCatalogue`.");
        text.AppendLine("Labels have bounded values (exchanges, symbols from instruments.yaml, table names, reasons, results);");
        text.AppendLine("no trade ids or prices.");
        text.AppendLine();
        text.AppendLine("| metric | type | labels | meaning |");
        text.AppendLine("|---|---|---|---|");
        foreach (var entry in Collect())
        {
            var labels = entry.Labels.Count == 0 ? "—" : string.Join(", ", entry.Labels.Select(l => $"`{l}`"));
            text.AppendLine($"| `{entry.Name}` | {entry.Type} | {labels} | {entry.Help.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }

        return text.ToString();
    }

    private static string TypeName(Collector collector) => collector switch
    {
        Counter => "counter",
        Gauge => "gauge",
        Histogram => "histogram",
        Summary => "summary",
        _ => collector.GetType().Name.ToLowerInvariant(),
    };

    private static IEnumerable<Assembly> K2Assemblies()
    {
        var folder = AppContext.BaseDirectory;
        foreach (var file in Directory.EnumerateFiles(folder, "K2.*.dll").Append(Path.Combine(folder, "k2.dll")))
        {
            var name = AssemblyName.GetAssemblyName(file);
            if (name.Name is "K2.Tests") { continue; }
            yield return Assembly.Load(name);
        }
    }

    private static Type[] SafeTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.Where(t => t is not null).ToArray()!;
        }
    }
}
