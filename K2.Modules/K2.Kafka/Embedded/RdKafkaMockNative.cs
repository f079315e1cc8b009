using System.Reflection;
using System.Runtime.InteropServices;

namespace K2.Kafka.Embedded;

/// <summary>
/// librdkafka entry points Confluent.Kafka does not expose — the mock-cluster API (rdkafka_mock.h) and
/// rd_kafka_purge — from the librdkafka that Confluent.Kafka ships.
/// </summary>
internal static partial class RdKafkaMockNative
{
    private const string Library = "rdkafka";

    static RdKafkaMockNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(RdKafkaMockNative).Assembly, Resolve);
    }

    public const int ProducerType = 0;

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_new")]
    public static partial IntPtr ConfNew();

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConfSet(IntPtr conf, string name, string value, byte[] errstr, nuint errstrSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_new")]
    public static partial IntPtr New(int type, IntPtr conf, byte[] errstr, nuint errstrSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_destroy")]
    public static partial void Destroy(IntPtr rk);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_new")]
    public static partial IntPtr MockClusterNew(IntPtr rk, int brokerCount);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    public static partial void MockClusterDestroy(IntPtr mockCluster);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    public static partial IntPtr MockClusterBootstraps(IntPtr mockCluster);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_set_down")]
    public static partial int MockBrokerSetDown(IntPtr mockCluster, int brokerId);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_set_up")]
    public static partial int MockBrokerSetUp(IntPtr mockCluster, int brokerId);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MockTopicCreate(IntPtr mockCluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_partition_delete_records", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MockPartitionDeleteRecords(IntPtr mockCluster, string topic, int partition, long beforeOffset);

    public const int PurgeQueue = 0x1;
    public const int PurgeInFlight = 0x2;

    [LibraryImport(Library, EntryPoint = "rd_kafka_purge")]
    public static partial int Purge(IntPtr rk, int flags);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library) { return IntPtr.Zero; }
        // The same candidates, in the same order, as Confluent.Kafka's loader: the default build wants
        // libsasl2.so.3, which Debian does not ship, and then the self-contained centos8 build serves.
        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
        foreach (var candidate in new[] { "librdkafka.so", "centos8-librdkafka.so" })
        {
            var path = Path.Combine(native, candidate);
            if (File.Exists(path) && NativeLibrary.TryLoad(path, out var bundled)) { return bundled; }
        }

        return NativeLibrary.TryLoad("librdkafka.so.1", assembly, searchPath, out var system) ? system : IntPtr.Zero;
    }
}
