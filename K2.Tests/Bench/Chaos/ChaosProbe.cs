using System.Globalization;
using System.Net.Http.Headers;

namespace K2.Bench.Chaos;

/// <summary>
/// What the bench reads from the running daemon: SQL through its ClickHouse HTTP interface (read-only, loopback, the
/// hot tier and the cold tier's Iceberg tables), <c>/metrics</c>, and the process's RSS and CPU time from /proc.
/// </summary>
internal sealed class ChaosProbe(Uri clickHouse, string password, Uri metrics) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(120) };

    /// <summary>Rows of a query as tab-separated fields; null while the daemon does not answer.</summary>
    public async Task<IReadOnlyList<string[]>?> TryQueryAsync(string sql, CancellationToken cancellationToken)
    {
        try
        {
            return await QueryAsync(sql, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or ChaosProbeException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<string[]>> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, clickHouse) { Content = new StringContent(sql) };
        request.Headers.Add("X-ClickHouse-User", "default");
        request.Headers.Add("X-ClickHouse-Key", password);
        request.Headers.Add("X-ClickHouse-Format", "TabSeparated");
        using var response = await _http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode) { throw new ChaosProbeException($"{sql}: {body.Trim()}"); }
        return [.. body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))];
    }

    /// <summary>The values of the named unlabelled gauges on <c>/metrics</c>; null while the daemon does not answer.</summary>
    public async Task<IReadOnlyDictionary<string, double>?> TryMetricsAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        try
        {
            var text = await _http.GetStringAsync(metrics, cancellationToken);
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var line in text.Split('\n'))
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0 && names.Contains(line[..space]) && double.TryParse(line[(space + 1)..], CultureInfo.InvariantCulture, out var value)) { values[line[..space]] = value; }
            }

            return values;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Resident set (MiB) and CPU seconds (user + system) of a process, or null once it is gone.</summary>
    public static (double RssMegabytes, double CpuSeconds)? Process(int pid)
    {
        try
        {
            var rss = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            var kb = long.Parse(rss.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);

            // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th of them.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (Math.Round(kb / 1024.0, 1), ticks / 100.0);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}

internal sealed class ChaosProbeException(string message) : Exception(message);
