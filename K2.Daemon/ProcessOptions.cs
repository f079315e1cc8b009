using System.ComponentModel.DataAnnotations;

namespace K2.Daemon;

/// <summary>
/// <c>Process</c>: settings that act on the whole process. The host applies them (<see cref="ProcessSettings"/>); no
/// module changes the working directory, collects the heap or tunes the allocator itself.
/// </summary>
public sealed class ProcessOptions
{
    public const string SectionName = "Process";

    /// <summary>
    /// The folder the process works in. The embedded ClickHouse engine's <c>icebergLocal</c> reads local files only under
    /// the working directory, so it must hold the local warehouse. Default empty: the data folder (<c>Storage:DataDir</c>),
    /// where the local warehouse lives. A relative path is under the K2 home folder.
    /// </summary>
    public string WorkingDirectory { get; set; } = "";

    /// <summary>
    /// Whether a blocking, compacting collection of the .NET heap follows each large job (an offload run, every 15 minutes
    /// by default). A run leaves Parquet pages, manifests and row buffers behind as garbage; the collection compacts them
    /// away and returns the pages instead of holding them until the next run. Default true.
    /// </summary>
    public bool CompactHeapAfterLargeJobs { get; set; } = true;

    /// <summary>
    /// Most malloc arenas glibc creates, set as the process starts. glibc gives each thread that contends for the heap an
    /// arena of its own, up to eight per core, and free memory in one serves no other: under the soak librdkafka's threads
    /// grew glibc's free bytes from 20 to 57 MB. 0 keeps glibc's default. Default 2. Without glibc (musl, macOS) it has no effect.
    /// </summary>
    [Range(0, 64, ErrorMessage = "must be between 0 (glibc's default) and 64 arenas")]
    public int GlibcArenas { get; set; } = 2;
}
