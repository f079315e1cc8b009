using K2.ClickHouse.Embedded;

namespace K2.Tests.Support;

/// <summary>
/// The one embedded ClickHouse engine of the test process (chDB allows one storage path per
/// process), started with the daemon's default embedded server settings. Tests isolate themselves by database:
/// <see cref="NewDatabase"/>.
/// </summary>
public static class EmbeddedClickHouse
{
    private static readonly Lazy<ChDbEngine> Shared = new(() =>
        ChDbEngine.Open(Path.Combine(TestPaths.ScratchRoot, "chdb"), serverSettings: new K2.ClickHouse.EmbeddedClickHouseOptions().ServerSettings()), LazyThreadSafetyMode.ExecutionAndPublication);

    public static ChDbEngine Engine => Shared.Value;

    /// <summary>Creates a database with a unique name and returns the name.</summary>
    public static string NewDatabase(string prefix = "t")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 17, prefix.Length + 33)];
        Engine.Execute($"CREATE DATABASE {name}");
        return name;
    }
}
