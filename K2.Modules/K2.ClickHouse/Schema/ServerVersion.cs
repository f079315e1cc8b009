using System.Globalization;

namespace K2.ClickHouse.Schema;

/// <summary>
/// The oldest ClickHouse the hot tier runs on: 24.3 LTS (Kafka error streaming, argMin/argMax states on tuples, now64 in
/// UTC). The offload and the audit need newer functions and settings; <see cref="ServerCapabilities"/> checks those by
/// name at the daemon's start.
/// </summary>
public static class ServerVersion
{
    public static readonly Version Minimum = new(24, 3);

    /// <summary>Throws with the found and required versions when <paramref name="versionText"/> is older than 24.3 or unreadable.</summary>
    public static Version EnsureSupported(string versionText)
    {
        var parts = versionText.Trim().Split('.');
        if (parts.Length < 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            throw new UnsupportedServerVersionException($"ClickHouse reported version '{versionText}', which K2 cannot read; K2 needs ClickHouse {Minimum} or newer.");
        }

        var version = new Version(major, minor);
        if (version < Minimum)
        {
            throw new UnsupportedServerVersionException(
                $"ClickHouse {versionText.Trim()} is too old: K2's hot tier needs ClickHouse {Minimum} (LTS) or newer. Upgrade the server; nothing was changed.");
        }

        return version;
    }
}

public sealed class UnsupportedServerVersionException(string message) : Exception(message);
