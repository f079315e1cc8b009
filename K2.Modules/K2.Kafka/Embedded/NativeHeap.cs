using System.Runtime.InteropServices;

namespace K2.Kafka.Embedded;

/// <summary>
/// glibc keeps what librdkafka frees — the mock cluster's trimmed logs among it — in its arenas for reuse (a soak
/// counted 35–45 MB free in them after 10 minutes); malloc_trim hands the free pages back to the system.
/// </summary>
internal static partial class NativeHeap
{
    /// <summary>Returns the glibc heap's free pages to the system; does nothing where there is no glibc (musl, macOS).</summary>
    public static void ReturnFreePages()
    {
        if (!OperatingSystem.IsLinux()) { return; }
        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not glibc: its allocator has no trim call and manages its free memory itself.
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
