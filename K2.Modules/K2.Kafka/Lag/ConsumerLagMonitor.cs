using Confluent.Kafka;
using K2.Core.Trades;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Kafka.Lag;

/// <summary>
/// Embedded mode: measures how far the configured consumer groups trail and holds publishing back
/// (records go to the spool) while any partition lags more than the limit, because the mock cluster
/// keeps only a few MB per partition and drops what the consumers have not read. A group counts on
/// the normalized topics it has committed on; on a partition without a commit it counts from the
/// partition's start. Before a group's first commit nothing holds publishing back. Registered before the
/// publisher, so it keeps measuring while the publisher drains at shutdown.
/// </summary>
internal sealed class ConsumerLagMonitor(KafkaOptions options, KafkaConnection connection, ILogger<ConsumerLagMonitor> logger) : BackgroundService
{
    private volatile bool _throttled;

    public bool Throttled => _throttled;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Mode != KafkaMode.Embedded || !options.LagThrottle.Enabled || options.LagThrottle.ConsumerGroups.Count == 0) { return; }
        var limit = options.LagThrottle.MaxLagMessages;
        string[] topics = [.. ExchangeNames.All.Select(connection.Topics.Normalized)];
        using var probe = connection.OpenLagProbe(connection.BootstrapServers!);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var lag = await MaxLagAsync(probe, topics, stoppingToken);
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
                await Task.Delay(options.LagThrottle.PollIntervalMs, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<long> MaxLagAsync(ConsumerLagProbe probe, string[] topics, CancellationToken cancellationToken)
    {
        long max = 0;
        foreach (var group in options.LagThrottle.ConsumerGroups)
        {
            foreach (var partition in await probe.MeasureAsync(group, topics, committedTopicsOnly: true, cancellationToken))
            {
                max = Math.Max(max, partition.Lag);
            }
        }

        return max;
    }
}
