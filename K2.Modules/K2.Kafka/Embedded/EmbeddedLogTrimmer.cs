using Confluent.Kafka;
using K2.Core.Native;
using K2.Core.Trades;
using K2.Kafka.Lag;
using Microsoft.Extensions.Hosting;
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
internal sealed class EmbeddedLogTrimmer(KafkaOptions options, KafkaBootstrap bootstrap, KafkaConnection connection, ILogger<EmbeddedLogTrimmer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cluster = bootstrap.Embedded ?? throw new InvalidOperationException("The log trimmer needs the embedded cluster");
        using var probe = connection.OpenLagProbe(cluster.BootstrapServers);
        var interval = TimeSpan.FromSeconds(options.EmbeddedRetention.IntervalSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, stoppingToken);
                var pass = await TrimAsync(cluster, probe, stoppingToken);
                Log.LogsTrimmed(logger, pass.Trimmed, pass.Retained);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is KafkaException or InvalidOperationException)
            {
                Log.TrimFailed(logger, ex.Message);
            }
        }
    }

    /// <summary>One pass over the normalized and raw topics: messages dropped, and messages the cluster still holds in them.</summary>
    private async Task<(long Trimmed, long Retained)> TrimAsync(EmbeddedKafkaCluster cluster, ConsumerLagProbe probe, CancellationToken cancellationToken)
    {
        var raw = ExchangeNames.All.Select(connection.Topics.Raw).ToHashSet(StringComparer.Ordinal);
        var normalized = ExchangeNames.All.Select(connection.Topics.Normalized).ToHashSet(StringComparer.Ordinal);
        var partitions = probe.Partitions([.. raw, .. normalized]);
        var consumed = await ConsumedUpToAsync(probe, [.. partitions.Where(p => normalized.Contains(p.Topic))], cancellationToken);
        long trimmed = 0, retained = 0;
        foreach (var partition in partitions)
        {
            var (low, high) = probe.Ends(partition);
            long? before = raw.Contains(partition.Topic) ? high - options.EmbeddedRetention.RawMessagesPerPartition : consumed.GetValueOrDefault(partition);
            if (before > low)
            {
                cluster.DeleteRecords(partition.Topic, partition.Partition, before.Value);
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
    private async Task<Dictionary<TopicPartition, long?>> ConsumedUpToAsync(ConsumerLagProbe probe, List<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        var upTo = new Dictionary<TopicPartition, long?>();
        foreach (var group in options.LagThrottle.ConsumerGroups)
        {
            var committed = await probe.CommittedAsync(group, partitions, cancellationToken);
            foreach (var topic in committed.GroupBy(c => c.Key.Topic).Where(t => t.Any(c => c.Value is not null)))
            {
                foreach (var (partition, offset) in topic)
                {
                    upTo[partition] = upTo.TryGetValue(partition, out var earlier) ? Min(earlier, offset) : offset;
                }
            }
        }

        return upTo;
    }

    private static long? Min(long? a, long? b) => a is null || b is null ? null : Math.Min(a.Value, b.Value);
}
