using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using K2.Kafka.Embedded;

namespace K2.Kafka.Publishing;

/// <summary>
/// rd_kafka_purge for a Confluent.Kafka producer, which does not expose it: every queued and in-flight
/// message is failed with Local_PurgeQueue/Local_PurgeInflight, so the delivery handlers learn which
/// records the brokers never acknowledged and shutdown can spool them.
/// </summary>
internal static class ProducerPurge
{
    private static readonly PropertyInfo NativeHandle = typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("Confluent.Kafka's Handle has no LibrdkafkaHandle; the pinned Confluent.Kafka version changed");

    public static void PurgeAll(IProducer<byte[], byte[]> producer)
    {
        var safeHandle = (SafeHandle)NativeHandle.GetValue(producer.Handle)!;
        var added = false;
        safeHandle.DangerousAddRef(ref added);
        try
        {
            var error = RdKafkaMockNative.Purge(safeHandle.DangerousGetHandle(), RdKafkaMockNative.PurgeQueue | RdKafkaMockNative.PurgeInFlight);
            if (error != 0) { throw new InvalidOperationException($"rd_kafka_purge failed (librdkafka error {error})"); }
        }
        finally
        {
            if (added) { safeHandle.DangerousRelease(); }
        }
    }
}
