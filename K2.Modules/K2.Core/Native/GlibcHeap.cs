using System.Runtime.InteropServices;

namespace K2.Core.Native;

/// <summary>
/// The process's glibc heap, where librdkafka (the embedded cluster and the producer) and SQLite allocate. Both calls
/// do nothing where there is no glibc (musl, macOS): those allocators manage their free memory themselves.
/// </summary>
public static partial class GlibcHeap
{
    private const int ArenaMaxParameter = -8;

    /// <summary>
    /// Caps the arenas glibc creates from now on. glibc gives each thread that contends for the heap an arena of its
    /// own, up to eight per core, and free memory in one arena serves no other: under the soak librdkafka's threads grew
    /// glibc's free bytes from 20 to 57 MB and the resident floor by 2 MB a minute; with two arenas both stopped
    /// growing after the fifth minute.
    /// </summary>
    public static void LimitArenas(int arenas) => Call(() => MallOpt(ArenaMaxParameter, arenas));

    /// <summary>
    /// Returns the free pages in glibc's arenas to the system. glibc keeps what librdkafka frees — the mock cluster's
    /// trimmed logs among it — for reuse (a soak counted 35–45 MB free in them after 10 minutes).
    /// </summary>
    public static void ReturnFreePages() => Call(() => MallocTrim(0));

    private static void Call(Func<int> glibcCall)
    {
        if (!OperatingSystem.IsLinux()) { return; }
        try
        {
            _ = glibcCall();
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not glibc.
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
