namespace K2.Kafka.Lag;

/// <summary>How far a consumer group trails one partition.</summary>
/// <param name="Committed">The group's committed offset; null where it has committed nothing.</param>
/// <param name="Low">The partition's first offset still held.</param>
/// <param name="High">The offset the next message will get.</param>
public readonly record struct PartitionLag(string Topic, int Partition, long? Committed, long Low, long High)
{
    /// <summary>Messages the group has not consumed: from its committed offset, or from the partition's start where it committed nothing.</summary>
    public long Lag => High - (Committed ?? Low);
}
