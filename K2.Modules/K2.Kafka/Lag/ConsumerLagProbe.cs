using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace K2.Kafka.Lag;

/// <summary>
/// An admin client and a consumer that read, at the brokers, what consumer groups have committed and where the
/// partitions end: lag seen from outside the consumers, so one that silently stops shows. Opened with
/// <see cref="KafkaConnection.OpenLagProbe"/>, with the module's SASL/TLS settings.
/// </summary>
public sealed class ConsumerLagProbe : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly IAdminClient _admin;
    private readonly IConsumer<Ignore, Ignore> _consumer;

    internal ConsumerLagProbe(KafkaConnection connection, string bootstrapServers)
    {
        _admin = new AdminClientBuilder(connection.Configure(new AdminClientConfig(), bootstrapServers)).Build();
        // Only asks for partition ends; never joins its group.
        _consumer = new ConsumerBuilder<Ignore, Ignore>(connection.Configure(new ConsumerConfig { GroupId = "k2-lag-probe", EnableAutoCommit = false }, bootstrapServers)).Build();
    }

    /// <summary>
    /// The lag of <paramref name="group"/> on every partition of <paramref name="topics"/> that exists.
    /// </summary>
    /// <param name="committedTopicsOnly">
    /// Leave out the topics on which the group has committed nothing yet: a group given topics it may not read
    /// counts only where it has started.
    /// </param>
    public async Task<IReadOnlyList<PartitionLag>> MeasureAsync(string group, IReadOnlyCollection<string> topics, bool committedTopicsOnly, CancellationToken cancellationToken = default)
    {
        var committed = await CommittedAsync(group, Partitions(topics), cancellationToken).ConfigureAwait(false);
        var lags = new List<PartitionLag>();
        foreach (var topic in committed.GroupBy(c => c.Key.Topic).Where(t => !committedTopicsOnly || t.Any(c => c.Value is not null)))
        {
            foreach (var (partition, offset) in topic)
            {
                var (low, high) = Ends(partition);
                lags.Add(new PartitionLag(partition.Topic, partition.Partition.Value, offset, low, high));
            }
        }

        return lags;
    }

    /// <summary>The partitions of those of <paramref name="topics"/> that exist.</summary>
    internal List<TopicPartition> Partitions(IReadOnlyCollection<string> topics) =>
    [
        .. _admin.GetMetadata(Timeout).Topics
            .Where(t => t.Error.Code == ErrorCode.NoError && topics.Contains(t.Topic))
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId))),
    ];

    /// <summary>The offset <paramref name="group"/> has committed on each partition; null where it has committed none.</summary>
    internal async Task<List<KeyValuePair<TopicPartition, long?>>> CommittedAsync(string group, List<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        if (partitions.Count == 0) { return []; }
        var results = await _admin.ListConsumerGroupOffsetsAsync(
                [new ConsumerGroupTopicPartitions(group, partitions)], new ListConsumerGroupOffsetsOptions { RequestTimeout = Timeout })
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. results.SelectMany(r => r.Partitions).Select(o => new KeyValuePair<TopicPartition, long?>(o.TopicPartition, o.Offset.IsSpecial ? null : o.Offset.Value))];
    }

    /// <summary>The partition's first held offset and the offset its next message will get.</summary>
    internal (long Low, long High) Ends(TopicPartition partition)
    {
        var ends = _consumer.QueryWatermarkOffsets(partition, Timeout);
        return (ends.Low.Value, ends.High.Value);
    }

    public void Dispose()
    {
        _consumer.Dispose();
        _admin.Dispose();
    }
}
