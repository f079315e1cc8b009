using Confluent.Kafka;
using Confluent.Kafka.Admin;
using K2.Core.Trades;
using K2.Kafka.Topics;
using Microsoft.Extensions.Logging;

namespace K2.Kafka.Publishing;

/// <summary>
/// Embedded mode: measures how far the configured consumer groups trail and holds publishing back
/// (records go to the spool) while any partition lags more than the limit, because the mock cluster
/// keeps only a few MB per partition and drops what the consumers have not read. A group counts on
/// the normalized topics it has committed on; on a partition without a commit it counts from the
/// partition's start. Before a group's first commit nothing holds publishing back.
/// </summary>
internal sealed class ConsumerLagMonitor(KafkaOptions options, ILogger logger) : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private volatile bool _throttled;

    public bool Throttled => _throttled;

    public void Start(string bootstrapServers)
    {
        if (options.Mode != KafkaMode.Embedded || !options.LagThrottle.Enabled || options.LagThrottle.ConsumerGroups.Count == 0) { return; }
        _loop = Task.Run(() => RunAsync(bootstrapServers, _stop.Token));
    }

    private async Task RunAsync(string bootstrapServers, CancellationToken cancellationToken)
    {
        var limit = options.LagThrottle.MaxLagMessages;
        using var admin = new AdminClientBuilder(KafkaClientConfig.Apply(new AdminClientConfig(), options, bootstrapServers)).Build();
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfig.Apply(new ConsumerConfig { GroupId = "k2-lag-probe", EnableAutoCommit = false }, options, bootstrapServers)).Build();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var lag = await MaxLagAsync(admin, consumer, cancellationToken);
                var throttled = lag > limit;
                if (throttled != _throttled) { Log.LagThrottle(logger, lag, limit, throttled ? "held back" : "resumed"); }
                _throttled = throttled;
            }
            catch (KafkaException ex)
            {
                Log.LagUnknown(logger, ex.Error.Reason);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            KafkaMetrics.LagThrottled.Set(_throttled ? 1 : 0);
            try
            {
                await Task.Delay(options.LagThrottle.PollIntervalMs, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<long> MaxLagAsync(IAdminClient admin, IConsumer<Ignore, Ignore> consumer, CancellationToken cancellationToken)
    {
        var topics = ExchangeNames.All.Select(TopicNames.Normalized).ToHashSet(StringComparer.Ordinal);
        var partitions = admin.GetMetadata(Timeout).Topics
            .Where(t => topics.Contains(t.Topic) && t.Error.Code == ErrorCode.NoError)
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId)))
            .ToList();
        if (partitions.Count == 0) { return 0; }
        var watermarks = new Dictionary<TopicPartition, WatermarkOffsets>();
        long max = 0;
        foreach (var group in options.LagThrottle.ConsumerGroups)
        {
            var offsets = (await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, partitions)], new ListConsumerGroupOffsetsOptions { RequestTimeout = Timeout }).WaitAsync(cancellationToken))
                .SelectMany(r => r.Partitions)
                .ToList();
            foreach (var topic in offsets.GroupBy(o => o.Topic).Where(t => t.Any(o => !o.Offset.IsSpecial)))
            {
                foreach (var committed in topic)
                {
                    var partition = committed.TopicPartition;
                    if (!watermarks.TryGetValue(partition, out var ends)) { watermarks[partition] = ends = consumer.QueryWatermarkOffsets(partition, Timeout); }
                    var from = committed.Offset.IsSpecial ? ends.Low.Value : committed.Offset.Value;
                    max = Math.Max(max, ends.High.Value - from);
                }
            }
        }

        return max;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try { await _loop; } catch (OperationCanceledException) { }
        }

        _stop.Dispose();
    }
}
