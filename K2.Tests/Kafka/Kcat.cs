using System.Diagnostics;
using System.Text.Json;

namespace K2.Tests.Kafka;

/// <summary>One message as Debian's kcat read it.</summary>
internal sealed record KcatMessage(string Topic, int Partition, long Offset, string Key, string Payload, IReadOnlyDictionary<string, string> Headers);

/// <summary>Debian's kcat as the independent reader of what K2 published.</summary>
internal static class Kcat
{
    /// <summary>Every message of <paramref name="topic"/> from the beginning to the current end.</summary>
    public static List<KcatMessage> ReadAll(string bootstrapServers, string topic)
    {
        var info = new ProcessStartInfo("kcat")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-b", bootstrapServers, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-J" }) { info.ArgumentList.Add(argument); }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start kcat (apt-get install kcat)");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kcat did not finish reading {topic}");
        }

        if (process.ExitCode != 0) { throw new InvalidOperationException($"kcat exited {process.ExitCode}: {stderr.Result}"); }
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse).ToList();
    }

    private static KcatMessage Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("headers", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            var items = list.EnumerateArray().Select(e => e.GetString() ?? "").ToArray();
            for (var i = 0; i + 1 < items.Length; i += 2) { headers[items[i]] = items[i + 1]; }
        }

        return new KcatMessage(
            root.GetProperty("topic").GetString()!,
            root.GetProperty("partition").GetInt32(),
            root.GetProperty("offset").GetInt64(),
            root.GetProperty("key").GetString() ?? "",
            root.GetProperty("payload").GetString() ?? "",
            headers);
    }

    /// <summary>The messages of a topic grouped by key, each in partition (offset) order.</summary>
    public static Dictionary<string, List<KcatMessage>> ByKey(IEnumerable<KcatMessage> messages) =>
        messages.GroupBy(m => m.Key).ToDictionary(g => g.Key, g => g.OrderBy(m => m.Offset).ToList());
}
