using System.Runtime.InteropServices;

namespace K2.Bench;

/// <summary>The kernel's dirty pages, which it writes back in the background up to 30 s later.</summary>
internal static partial class PendingWrites
{
    /// <summary>Writes every dirty page back now (<c>sync(2)</c>), so that a measured phase does not share the cores with the set-up's write-back.</summary>
    public static void Flush() => Sync();

    [LibraryImport("libc", EntryPoint = "sync")]
    private static partial void Sync();
}
