using System.Runtime.InteropServices;
using System.Text;
using K2.Kafka.Native;

namespace K2.Kafka.Embedded;

/// <summary>
/// librdkafka's in-process mock cluster: real Kafka protocol on loopback ports, no broker to install.
/// Used by the embedded default and by tests; <see cref="SetBrokerDown"/>/<see cref="SetBrokerUp"/>
/// simulate an outage. It keeps every partition's log in memory, up to 5 MB (or 100,000 batches) per partition, and
/// drops the oldest beyond that: publishers must not run far ahead of consumers in embedded mode, and what the
/// consumers have read should be trimmed (<see cref="DeleteRecords"/>).
/// </summary>
public sealed class EmbeddedKafkaCluster : IDisposable
{
    private IntPtr _handle;
    private IntPtr _cluster;

    private EmbeddedKafkaCluster(IntPtr handle, IntPtr cluster, int brokerCount, string bootstrapServers)
    {
        _handle = handle;
        _cluster = cluster;
        BrokerCount = brokerCount;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>The cluster's bootstrap address list (host:port,…) for every Kafka client and ClickHouse's Kafka engine.</summary>
    public string BootstrapServers { get; }

    public int BrokerCount { get; }

    public static EmbeddedKafkaCluster Start(int brokerCount = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        var error = new byte[512];
        var conf = RdKafkaNative.ConfNew();
        RdKafkaNative.ConfSet(conf, "log_level", "3", error, (nuint)error.Length);
        var handle = RdKafkaNative.New(RdKafkaNative.ProducerType, conf, error, (nuint)error.Length);
        if (handle == IntPtr.Zero)
        {
            throw new InvalidOperationException($"Cannot create the librdkafka handle for the mock cluster: {Decode(error)}");
        }

        var cluster = RdKafkaNative.MockClusterNew(handle, brokerCount);
        if (cluster == IntPtr.Zero)
        {
            RdKafkaNative.Destroy(handle);
            throw new InvalidOperationException("librdkafka refused to create a mock cluster");
        }

        var bootstraps = Marshal.PtrToStringUTF8(RdKafkaNative.MockClusterBootstraps(cluster))
            ?? throw new InvalidOperationException("The mock cluster reported no bootstrap address");
        return new EmbeddedKafkaCluster(handle, cluster, brokerCount, bootstraps);
    }

    /// <summary>Creates a topic with explicit partitions (the mock cluster would otherwise auto-create it on first use).</summary>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1) =>
        Check(RdKafkaNative.MockTopicCreate(Cluster, topic, partitions, Math.Min(replicationFactor, BrokerCount)), $"create topic {topic}");

    /// <summary>Drops a partition's messages before <paramref name="beforeOffset"/> from the cluster's memory; its log then starts there.</summary>
    public void DeleteRecords(string topic, int partition, long beforeOffset) =>
        Check(RdKafkaNative.MockPartitionDeleteRecords(Cluster, topic, partition, beforeOffset), $"delete records of {topic} [{partition}] before offset {beforeOffset}");

    /// <summary>Takes a broker down: its connections close and it refuses new ones until <see cref="SetBrokerUp"/>.</summary>
    public void SetBrokerDown(int brokerId = 1) => Check(RdKafkaNative.MockBrokerSetDown(Cluster, brokerId), $"set broker {brokerId} down");

    public void SetBrokerUp(int brokerId = 1) => Check(RdKafkaNative.MockBrokerSetUp(Cluster, brokerId), $"set broker {brokerId} up");

    /// <summary>Takes every broker down (a full outage).</summary>
    public void SetAllBrokersDown()
    {
        for (var id = 1; id <= BrokerCount; id++) { SetBrokerDown(id); }
    }

    public void SetAllBrokersUp()
    {
        for (var id = 1; id <= BrokerCount; id++) { SetBrokerUp(id); }
    }

    private IntPtr Cluster
    {
        get
        {
            ObjectDisposedException.ThrowIf(_cluster == IntPtr.Zero, this);
            return _cluster;
        }
    }

    private static void Check(int errorCode, string what)
    {
        if (errorCode != 0) { throw new InvalidOperationException($"Mock cluster: cannot {what} (librdkafka error {errorCode})"); }
    }

    private static string Decode(byte[] error) => Encoding.UTF8.GetString(error).TrimEnd('\0');

    public void Dispose()
    {
        if (_cluster != IntPtr.Zero)
        {
            RdKafkaNative.MockClusterDestroy(_cluster);
            _cluster = IntPtr.Zero;
        }

        if (_handle != IntPtr.Zero)
        {
            RdKafkaNative.Destroy(_handle);
            _handle = IntPtr.Zero;
        }
    }
}
