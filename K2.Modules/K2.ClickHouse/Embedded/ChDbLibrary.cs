using System.Reflection;
using System.Runtime.InteropServices;
using K2.Core.Native;

namespace K2.ClickHouse.Embedded;

/// <summary>
/// Finds libchdb.so. Order: an explicit path (configuration), the <c>K2_CHDB_LIB</c> environment
/// variable, then the per-user cache that <c>scripts/fetch-chdb.sh</c> fills.
/// </summary>
public static class ChDbLibrary
{
    /// <summary>The pinned npm package version of @chdb/lib-linux-x64-gnu.</summary>
    public const string PinnedVersion = "26.7.3-stable.1";

    public const string FetchCommand = "scripts/fetch-chdb.sh";

    /// <summary>
    /// chDB's allocator (jemalloc) reads its options from this variable when the library loads. K2 sets
    /// <see cref="AllocatorOptions"/> unless the variable is already set (<c>JE_MALLOC_CONF=thp:default</c> turns it off).
    /// </summary>
    public const string AllocatorOptionsVariable = "JE_MALLOC_CONF";

    /// <summary>
    /// Transparent huge pages for the engine's memory (madvised, which the kernel's default <c>madvise</c> mode grants): a
    /// sort or an export touching fresh memory takes one page fault per 2 MiB instead of one per 4 KiB.
    /// </summary>
    public const string AllocatorOptions = "thp:always";

    private static readonly Lock Gate = new();
    private static string? _loadedPath;

    /// <summary>The cache folder the fetch script writes to: <c>${XDG_CACHE_HOME:-~/.cache}/k2/chdb/&lt;version&gt;</c>.</summary>
    public static string CacheDirectory
    {
        get
        {
            var cacheHome = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (string.IsNullOrEmpty(cacheHome))
            {
                cacheHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            }

            return Path.Combine(cacheHome, "k2", "chdb", PinnedVersion);
        }
    }

    public static string Locate(string? configuredPath = null)
    {
        if (!string.IsNullOrWhiteSpace(configuredPath)) { return Path.GetFullPath(configuredPath); }
        var fromEnv = Environment.GetEnvironmentVariable("K2_CHDB_LIB");
        if (!string.IsNullOrWhiteSpace(fromEnv)) { return Path.GetFullPath(fromEnv); }
        return Path.Combine(CacheDirectory, "libchdb.so");
    }

    /// <summary>Loads the library once per process and routes <see cref="ChDbNative"/> to it.</summary>
    /// <exception cref="ChDbLibraryMissingException">The file does not exist.</exception>
    public static void EnsureLoaded(string? configuredPath = null)
    {
        lock (Gate)
        {
            if (_loadedPath is not null) { return; }
            var path = Locate(configuredPath);
            if (!File.Exists(path)) { throw new ChDbLibraryMissingException(path); }
            NativeEnvironment.Set(AllocatorOptionsVariable, AllocatorOptions, overwrite: false);
            var handle = NativeLibrary.Load(path);
            NativeLibrary.SetDllImportResolver(typeof(ChDbNative).Assembly, (name, _, _) =>
                name == ChDbNative.Library ? handle : IntPtr.Zero);
            _loadedPath = path;
        }
    }

    internal static Assembly Assembly => typeof(ChDbNative).Assembly;
}

/// <summary>libchdb.so is not where K2 looked; the message names the command that fetches it.</summary>
public sealed class ChDbLibraryMissingException(string path) : Exception(
    $"Embedded ClickHouse library not found at {path}. Fetch it with: {ChDbLibrary.FetchCommand} " +
    $"(or set K2_CHDB_LIB / Modules:ClickHouse:Embedded:LibraryPath to an existing libchdb.so)")
{
    public string SearchedPath { get; } = path;
}
