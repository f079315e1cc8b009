using System.Reflection;
using System.Runtime.InteropServices;

namespace K2.Kafka.Native;

/// <summary>
/// The librdkafka that Confluent.Kafka ships, called directly: the producer (produceva, the event
/// API for batched delivery reports, purge) and the mock-cluster API (rdkafka_mock.h). Declarations
/// follow rdkafka.h of librdkafka.redist 2.16.
/// </summary>
internal static unsafe partial class RdKafkaNative
{
    private const string Library = "rdkafka";

    static RdKafkaNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(RdKafkaNative).Assembly, Resolve);
    }

    public const int ProducerType = 0;
    public const int ConfOk = 0;

    public const int EventDeliveryReport = 0x1;
    public const int EventLogMessage = 0x4;
    public const int EventError = 0x8;

    public const int MessageCopy = 0x2;

    public const int PurgeQueue = 0x1;
    public const int PurgeInFlight = 0x2;

    public const int ErrorQueueFull = -184;
    public const int ErrorPurgeQueue = -152;
    public const int ErrorPurgeInFlight = -151;

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_new")]
    public static partial IntPtr ConfNew();

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_destroy")]
    public static partial void ConfDestroy(IntPtr conf);

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConfSet(IntPtr conf, string name, string value, byte[] errstr, nuint errstrSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_set_events")]
    public static partial void ConfSetEvents(IntPtr conf, int events);

    /// <summary>Takes ownership of <paramref name="conf"/> on success only.</summary>
    [LibraryImport(Library, EntryPoint = "rd_kafka_new")]
    public static partial IntPtr New(int type, IntPtr conf, byte[] errstr, nuint errstrSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_destroy")]
    public static partial void Destroy(IntPtr rk);

    [LibraryImport(Library, EntryPoint = "rd_kafka_topic_new", StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr TopicNew(IntPtr rk, string topic, IntPtr conf);

    [LibraryImport(Library, EntryPoint = "rd_kafka_topic_destroy")]
    public static partial void TopicDestroy(IntPtr rkt);

    /// <summary>Returns an rd_kafka_error_t to destroy, or null on success.</summary>
    [LibraryImport(Library, EntryPoint = "rd_kafka_produceva")]
    public static partial IntPtr ProduceVa(IntPtr rk, Vu* vus, nuint count);

    [LibraryImport(Library, EntryPoint = "rd_kafka_error_code")]
    public static partial int ErrorCode(IntPtr error);

    [LibraryImport(Library, EntryPoint = "rd_kafka_error_destroy")]
    public static partial void ErrorDestroy(IntPtr error);

    [LibraryImport(Library, EntryPoint = "rd_kafka_err2str")]
    public static partial IntPtr ErrorToString(int error);

    [LibraryImport(Library, EntryPoint = "rd_kafka_flush")]
    public static partial int Flush(IntPtr rk, int timeoutMs);

    [LibraryImport(Library, EntryPoint = "rd_kafka_purge")]
    public static partial int Purge(IntPtr rk, int flags);

    [LibraryImport(Library, EntryPoint = "rd_kafka_queue_get_main")]
    public static partial IntPtr QueueGetMain(IntPtr rk);

    [LibraryImport(Library, EntryPoint = "rd_kafka_queue_destroy")]
    public static partial void QueueDestroy(IntPtr queue);

    [LibraryImport(Library, EntryPoint = "rd_kafka_set_log_queue")]
    public static partial int SetLogQueue(IntPtr rk, IntPtr queue);

    [LibraryImport(Library, EntryPoint = "rd_kafka_queue_poll")]
    public static partial IntPtr QueuePoll(IntPtr queue, int timeoutMs);

    [LibraryImport(Library, EntryPoint = "rd_kafka_event_type")]
    public static partial int EventType(IntPtr ev);

    [LibraryImport(Library, EntryPoint = "rd_kafka_event_destroy")]
    public static partial void EventDestroy(IntPtr ev);

    [LibraryImport(Library, EntryPoint = "rd_kafka_event_message_array")]
    public static partial nuint EventMessageArray(IntPtr ev, Message** messages, nuint size);

    [LibraryImport(Library, EntryPoint = "rd_kafka_event_error_string")]
    public static partial IntPtr EventErrorString(IntPtr ev);

    [LibraryImport(Library, EntryPoint = "rd_kafka_event_log")]
    public static partial int EventLog(IntPtr ev, IntPtr* facility, IntPtr* text, int* level);

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

    /// <summary>rd_kafka_vtype_t: the tags of an rd_kafka_vu_t.</summary>
    public enum VType
    {
        End = 0,
        Rkt = 2,
        Value = 4,
        Key = 5,
        Opaque = 6,
        MessageFlags = 7,
        Header = 9,
    }

    /// <summary>rd_kafka_vu_t: a tag and a 64-byte union (pointer, size, and for headers name/value/size).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 72)]
    public struct Vu
    {
        [FieldOffset(0)] public VType Type;
        [FieldOffset(8)] public IntPtr First;
        [FieldOffset(16)] public IntPtr Second;
        [FieldOffset(24)] public IntPtr Third;
    }

    /// <summary>rd_kafka_message_t, as a delivery report carries it.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Message
    {
        public int Error;
        public IntPtr Topic;
        public int Partition;
        public IntPtr Payload;
        public nuint Length;
        public IntPtr Key;
        public nuint KeyLength;
        public long Offset;
        public IntPtr Opaque;
    }

    public static string ErrorText(int error) => Marshal.PtrToStringUTF8(ErrorToString(error)) ?? $"librdkafka error {error}";

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library) { return IntPtr.Zero; }
        foreach (var candidate in LibrdkafkaLocation.Candidates(AppContext.BaseDirectory, RuntimeInformation.ProcessArchitecture))
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var bundled)) { return bundled; }
        }

        return NativeLibrary.TryLoad("librdkafka.so.1", assembly, searchPath, out var system) ? system : IntPtr.Zero;
    }
}
