using Confluent.Kafka;
using Confluent.Kafka.Admin;
using K2.Core.Trades;
using K2.Kafka.Topics;
using Microsoft.Extensions.Logging;

namespace K2.Kafka.Publishing;

/// <summary>
/// Measures how far the configured consumer groups trail the normalized topics and holds publishing
/// back while any partition lags more than the limit: the embedded mock cluster keeps only a few MB
/// per partition and would drop what the consumers have not read. A group without a committed
/// offset on a partition counts from the partition's start.
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
        if (options.LagThrottle.ConsumerGroups.Count == 0) { return; }
        _throttled = true;
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
        var metadata = admin.GetMetadata(Timeout);
        var wanted = ExchangeNames.All.Select(TopicNames.Normalized).ToHashSet(StringComparer.Ordinal);
        var partitions = metadata.Topics
            .Where(t => wanted.Contains(t.Topic) && t.Error.Code == ErrorCode.NoError)
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId)))
            .ToList();
        if (partitions.Count == 0) { return 0; }
        var ends = partitions.ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(p, Timeout));
        long max = 0;
        foreach (var group in options.LagThrottle.ConsumerGroups)
        {
            var results = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, partitions)], new ListConsumerGroupOffsetsOptions { RequestTimeout = Timeout }).WaitAsync(cancellationToken);
            foreach (var committed in results.SelectMany(r => r.Partitions))
            {
                var watermarks = ends[committed.TopicPartition];
                var from = committed.Offset.IsSpecial ? watermarks.Low.Value : committed.Offset.Value;
                max = Math.Max(max, watermarks.High.Value - from);
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
