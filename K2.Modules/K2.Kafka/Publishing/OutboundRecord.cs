using K2.Core.Trades;

namespace K2.Kafka.Publishing;

internal enum RecordKind : byte
{
    Trade = 1,
    Raw = 2,
    DeadLetter = 3,
}

/// <summary>
/// One Kafka message on its way: the serialized key and value plus what its topic (kind and exchange)
/// and headers are made of. The same record travels through the queue, the spool and the producer.
/// </summary>
internal sealed class OutboundRecord(RecordKind kind, Exchange exchange, byte[] key, byte[] value, long receiveTimestampUs, string? reason = null)
{
    public RecordKind Kind { get; } = kind;

    public Exchange Exchange { get; } = exchange;

    public byte[] Key { get; } = key;

    public byte[] Value { get; } = value;

    public long ReceiveTimestampUs { get; } = receiveTimestampUs;

    /// <summary>Why the frame was rejected (dead letters only).</summary>
    public string? Reason { get; } = reason;

    /// <summary>Order in which the pump handed the record to the producer.</summary>
    public long Sequence { get; set; }

    /// <summary>The replay batch the record was read from the spool in, or null for a live record.</summary>
    public ReplayBatch? Batch { get; set; }

    public int BatchIndex { get; set; }
}
