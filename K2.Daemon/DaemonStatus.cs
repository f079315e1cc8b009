using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using K2.Core.Health;

namespace K2.Daemon;

/// <summary>The first section of <c>k2 status</c>: version, uptime, memory and which modules run.</summary>
internal sealed class DaemonStatus(IReadOnlyDictionary<string, bool> modules) : IStatusContributor
{
    public int Order => 0;

    public StatusSection Snapshot()
    {
        using var process = Process.GetCurrentProcess();
        var version = typeof(DaemonStatus).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
        var uptime = DateTime.UtcNow - process.StartTime.ToUniversalTime();
        var enabled = string.Join(", ", modules.Where(m => m.Value).Select(m => m.Key));
        var disabled = string.Join(", ", modules.Where(m => !m.Value).Select(m => m.Key));
        return new StatusSection(
            "Daemon",
            ["version", "pid", "uptime", "rss_mb", "modules on", "modules off"],
            [[
                version.Split('+')[0],
                Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                $"{(int)uptime.TotalHours}h{uptime.Minutes:00}m{uptime.Seconds:00}s",
                (process.WorkingSet64 / 1048576.0).ToString("F0", CultureInfo.InvariantCulture),
                enabled.Length == 0 ? "-" : enabled,
                disabled.Length == 0 ? "-" : disabled,
            ]],
            []);
    }
}
