using Confluent.Kafka;
using Confluent.Kafka.Admin;
using K2.Core.Native;
using K2.Core.Trades;
using K2.Kafka.Topics;
using Microsoft.Extensions.Logging;

namespace K2.Kafka.Embedded;

/// <summary>
/// Embedded mode: the mock cluster holds every partition's log in memory until its per-partition cap (5 MB), which
/// over K2's 160 normalized and raw partitions is most of a gigabyte, filled slowly enough at live rates to look like
/// a leak. Every interval this trims each normalized partition up to the offset every consumer group that reads the
/// topic has committed (what ClickHouse has stored; never before the first commit) and each raw partition to its
/// newest <see cref="KafkaEmbeddedRetentionOptions.RawMessagesPerPartition"/>, which nothing in K2 consumes. The
/// dead-letter topic is left whole.
/// </summary>
internal sealed class EmbeddedLogTrimmer : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly KafkaOptions _options;
    private readonly EmbeddedKafkaCluster _cluster;
    private readonly ILogger _logger;
    private readonly IAdminClient _admin;
    private readonly IConsumer<Ignore, Ignore> _consumer;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public EmbeddedLogTrimmer(KafkaOptions options, EmbeddedKafkaCluster cluster, ILogger logger)
    {
        _options = options;
        _cluster = cluster;
        _logger = logger;
        _admin = new AdminClientBuilder(KafkaClientConfig.Apply(new AdminClientConfig(), options, cluster.BootstrapServers)).Build();
        _consumer = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfig.Apply(new ConsumerConfig { GroupId = "k2-log-trimmer", EnableAutoCommit = false }, options, cluster.BootstrapServers)).Build();
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(_options.EmbeddedRetention.IntervalSeconds);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, cancellationToken);
                var pass = await TrimAsync(cancellationToken);
                Log.LogsTrimmed(_logger, pass.Trimmed, pass.Retained);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is KafkaException or InvalidOperationException)
            {
                Log.TrimFailed(_logger, ex.Message);
            }
        }
    }

    /// <summary>One pass over the normalized and raw topics: messages dropped, and messages the cluster still holds in them.</summary>
    internal async Task<(long Trimmed, long Retained)> TrimAsync(CancellationToken cancellationToken)
    {
        var raw = ExchangeNames.All.Select(TopicNames.Raw).ToHashSet(StringComparer.Ordinal);
        var normalized = ExchangeNames.All.Select(TopicNames.Normalized).ToHashSet(StringComparer.Ordinal);
        var partitions = _admin.GetMetadata(Timeout).Topics
            .Where(t => t.Error.Code == ErrorCode.NoError && (raw.Contains(t.Topic) || normalized.Contains(t.Topic)))
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId)))
            .ToList();
        var consumed = await ConsumedUpToAsync([.. partitions.Where(p => normalized.Contains(p.Topic))], cancellationToken);
        long trimmed = 0, retained = 0;
        foreach (var partition in partitions)
        {
            var ends = _consumer.QueryWatermarkOffsets(partition, Timeout);
            var (low, high) = (ends.Low.Value, ends.High.Value);
            long? before = raw.Contains(partition.Topic) ? high - _options.EmbeddedRetention.RawMessagesPerPartition : consumed.GetValueOrDefault(partition);
            if (before > low)
            {
                _cluster.DeleteRecords(partition.Topic, partition.Partition, before.Value);
                trimmed += before.Value - low;
                low = before.Value;
            }

            retained += high - low;
        }

        if (trimmed > 0) { GlibcHeap.ReturnFreePages(); }
        KafkaMetrics.EmbeddedTrimmed.Inc(trimmed);
        KafkaMetrics.EmbeddedRetained.Set(retained);
        return (trimmed, retained);
    }

    /// <summary>
    /// Per partition, the lowest offset committed by the groups that read its topic (those with a commit on any of its
    /// partitions); absent where one of them has not committed on the partition yet.
    /// </summary>
    private async Task<Dictionary<TopicPartition, long?>> ConsumedUpToAsync(List<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        var upTo = new Dictionary<TopicPartition, long?>();
        if (partitions.Count == 0) { return upTo; }
        foreach (var group in _options.LagThrottle.ConsumerGroups)
        {
            var offsets = (await _admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, partitions)], new ListConsumerGroupOffsetsOptions { RequestTimeout = Timeout }).WaitAsync(cancellationToken))
                .SelectMany(r => r.Partitions);
            foreach (var topic in offsets.GroupBy(o => o.Topic).Where(t => t.Any(o => !o.Offset.IsSpecial)))
            {
                foreach (var committed in topic)
                {
                    long? offset = committed.Offset.IsSpecial ? null : committed.Offset.Value;
                    upTo[committed.TopicPartition] = upTo.TryGetValue(committed.TopicPartition, out var earlier) ? Min(earlier, offset) : offset;
                }
            }
        }

        return upTo;
    }

    private static long? Min(long? a, long? b) => a is null || b is null ? null : Math.Min(a.Value, b.Value);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) { await _loop; }
        _consumer.Dispose();
        _admin.Dispose();
        _stop.Dispose();
    }
}
