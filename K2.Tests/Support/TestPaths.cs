namespace K2.Tests.Support;

/// <summary>Folders the tests use: the repository, the shared fixtures and a per-process scratch folder.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> Repo = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "K2.Monolith.sln"))) { dir = dir.Parent; }
        return dir?.FullName ?? throw new InvalidOperationException("K2.Monolith.sln not found above the test binaries");
    });

    private static readonly Lazy<string> Scratch = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"k2-tests-{Environment.ProcessId}");
        Directory.CreateDirectory(path);
        return path;
    });

    public static string RepoRoot => Repo.Value;

    /// <summary>
    /// The recorded exchange frames: <c>K2_SHARED_DIR/fixtures/exchanges</c> when set, else the copy kept in
    /// the repository (<c>K2.Tests/Fixtures/exchanges</c>), so a clone tests on its own.
    /// </summary>
    public static string SharedFixtures
    {
        get
        {
            var shared = Environment.GetEnvironmentVariable("K2_SHARED_DIR");
            return string.IsNullOrEmpty(shared)
                ? Path.Combine(RepoRoot, "K2.Tests", "Fixtures", "exchanges")
                : Path.GetFullPath(Path.Combine(shared, "fixtures", "exchanges"));
        }
    }

    public static string ScratchRoot => Scratch.Value;

    /// <summary>A new empty folder under the scratch root.</summary>
    public static string NewScratchFolder(string prefix)
    {
        var path = Path.Combine(ScratchRoot, $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }
}
