using System.Runtime.InteropServices;
using K2.Kafka.Native;

namespace K2.Tests.Kafka;

/// <summary>librdkafka is loaded from the package's folder for the process's architecture, not always x64's.</summary>
[TestFixture]
public sealed class LibrdkafkaLocationTests
{
    [TestCase(Architecture.X64, "linux-x64")]
    [TestCase(Architecture.Arm64, "linux-arm64")]
    public void The_native_folder_follows_the_process_architecture(Architecture architecture, string folder)
    {
        var candidates = LibrdkafkaLocation.Candidates("/opt/k2", architecture);

        candidates[0].Should().Be($"/opt/k2/runtimes/{folder}/native/librdkafka.so");
        candidates.Where(c => c.Contains("/runtimes/", StringComparison.Ordinal)).Should().OnlyContain(c => c.StartsWith($"/opt/k2/runtimes/{folder}/native/", StringComparison.Ordinal));
        candidates.Should().Contain("/opt/k2/librdkafka.so", "a build published for one runtime has its native files beside the assemblies");
    }

    [TestCase(Architecture.X64)]
    [TestCase(Architecture.Arm64)]
    public void The_package_ships_a_library_where_the_candidates_point(Architecture architecture) =>
        LibrdkafkaLocation.Candidates(AppContext.BaseDirectory, architecture).Should().Contain(candidate => File.Exists(candidate));

    [Test]
    public void The_producer_runs_on_the_library_built_for_this_process()
    {
        using (new NativeProducer<object>([new("bootstrap.servers", "127.0.0.1:9")], _ => { }, _ => { })) { }

        var loaded = File.ReadLines("/proc/self/maps")
            .Where(line => line.Contains("librdkafka", StringComparison.Ordinal))
            .Select(line => line[line.IndexOf('/', StringComparison.Ordinal)..])
            .Distinct()
            .ToList();

        loaded.Should().NotBeEmpty().And.OnlyContain(path => path.Contains($"/runtimes/{LibrdkafkaLocation.RuntimeFolder(RuntimeInformation.ProcessArchitecture)}/native/", StringComparison.Ordinal));
    }
}
