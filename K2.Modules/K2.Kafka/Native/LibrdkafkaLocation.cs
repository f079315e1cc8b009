using System.Runtime.InteropServices;

namespace K2.Kafka.Native;

/// <summary>
/// Where the librdkafka that Confluent.Kafka ships is for this process: its package puts one build per runtime under
/// <c>runtimes/linux-&lt;architecture&gt;/native</c>, and a build published for one runtime (<c>dotnet publish -r
/// linux-arm64</c>) puts that runtime's files next to the assemblies instead.
/// </summary>
internal static class LibrdkafkaLocation
{
    /// <summary>
    /// The files to try, in order, for a process of <paramref name="architecture"/> running from
    /// <paramref name="baseDirectory"/>: the same names, in the same order, as Confluent.Kafka's own loader, so both
    /// load the same library. The plain build needs libsasl2.so.3, which Debian does not ship; the centos8 build
    /// (x64 only) has it linked in.
    /// </summary>
    public static IReadOnlyList<string> Candidates(string baseDirectory, Architecture architecture)
    {
        string[] files = ["librdkafka.so", "centos8-librdkafka.so"];
        var native = Path.Combine(baseDirectory, "runtimes", RuntimeFolder(architecture), "native");
        return [.. files.Select(file => Path.Combine(native, file)), .. files.Select(file => Path.Combine(baseDirectory, file))];
    }

    /// <summary>The runtime folder name of the architecture: <c>linux-x64</c>, <c>linux-arm64</c>, …</summary>
    public static string RuntimeFolder(Architecture architecture) => $"linux-{architecture.ToString().ToLowerInvariant()}";
}
