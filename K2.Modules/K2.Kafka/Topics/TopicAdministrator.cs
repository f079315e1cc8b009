using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using K2.Core.Trades;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Kafka.Topics;

/// <summary>
/// Creates the missing K2 topics when the host starts, retrying every 2 s while the brokers are unreachable (the
/// publisher spools until then); never alters an existing topic, but reports a partition or retention mismatch.
/// </summary>
internal sealed class TopicAdministrator(KafkaOptions options, KafkaBootstrap bootstrap, KafkaConnection connection, ILogger<TopicAdministrator> logger) : BackgroundService
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);
    private volatile bool _topicsReady;

    /// <summary>The topics are checked and the missing ones created.</summary>
    public bool TopicsReady => _topicsReady;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await EnsureAsync(stoppingToken);
                _topicsReady = true;
                return;
            }
            catch (KafkaException ex)
            {
                Log.TopicsUnreachable(logger, ex.Error.Reason);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try { await Task.Delay(Retry, stoppingToken); } catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>The topics and partition counts the configuration asks for.</summary>
    public IReadOnlyList<(string Topic, int Partitions)> Wanted()
    {
        var topics = new List<(string, int)>();
        foreach (var exchange in ExchangeNames.All)
        {
            var config = options.Topics.For(exchange);
            topics.Add((connection.Topics.Normalized(exchange), config.Partitions));
            if (config.PublishRaw) { topics.Add((connection.Topics.Raw(exchange), config.RawPartitions)); }
        }

        topics.Add((connection.Topics.DeadLetters, options.Topics.DeadLetterPartitions));
        return topics;
    }

    /// <summary>
    /// Checks and creates the topics. The embedded mock cluster has no controller for CreateTopics, so
    /// there topics are created through its own API (retention does not apply to it).
    /// </summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(connection.Configure(new AdminClientConfig(), bootstrap.BootstrapServers)).Build();
        var metadata = admin.GetMetadata(Timeout);
        var existing = metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError).ToDictionary(t => t.Topic, t => t.Partitions.Count);
        var replication = (short)Math.Min(options.Topics.ReplicationFactor, metadata.Brokers.Count);
        var missing = new List<TopicSpecification>();
        var retained = bootstrap.Embedded is null ? await RetentionMismatchesAsync(admin, [.. Wanted().Select(w => w.Topic).Where(existing.ContainsKey)]).ConfigureAwait(false) : [];
        foreach (var (topic, partitions) in Wanted())
        {
            if (existing.TryGetValue(topic, out var actual))
            {
                var mismatch = actual != partitions;
                KafkaMetrics.TopicMismatch.WithLabels(topic).Set(mismatch || retained.Contains(topic) ? 1 : 0);
                if (mismatch) { Log.TopicMismatch(logger, topic, actual, partitions); }
                continue;
            }

            missing.Add(new TopicSpecification
            {
                Name = topic,
                NumPartitions = partitions,
                ReplicationFactor = replication,
                Configs = new Dictionary<string, string> { ["retention.ms"] = RetentionMs.ToString(CultureInfo.InvariantCulture) },
            });
        }

        if (missing.Count == 0) { return; }
        if (bootstrap.Embedded is { } embedded)
        {
            foreach (var topic in missing)
            {
                embedded.CreateTopic(topic.Name, topic.NumPartitions, topic.ReplicationFactor);
                Log.TopicCreated(logger, topic.Name, topic.NumPartitions);
            }

            return;
        }

        try
        {
            await admin.CreateTopicsAsync(missing, new CreateTopicsOptions { RequestTimeout = Timeout }).WaitAsync(cancellationToken);
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Another publisher created some of them first: fine, they are left as they are.
        }

        foreach (var topic in missing) { Log.TopicCreated(logger, topic.Name, topic.NumPartitions); }
    }

    private long RetentionMs => (long)options.Topics.RetentionHours * 3_600_000;

    /// <summary>
    /// The existing topics whose <c>retention.ms</c> differs from the configuration. The embedded mock cluster has no
    /// DescribeConfigs, so this runs against real brokers only; a broker that refuses it (ACLs) is logged, not fatal.
    /// </summary>
    private async Task<HashSet<string>> RetentionMismatchesAsync(IAdminClient admin, IReadOnlyList<string> topics)
    {
        if (topics.Count == 0) { return []; }
        try
        {
            var described = await admin.DescribeConfigsAsync([.. topics.Select(t => new ConfigResource { Type = ResourceType.Topic, Name = t })],
                new DescribeConfigsOptions { RequestTimeout = Timeout }).ConfigureAwait(false);
            var mismatched = new HashSet<string>(StringComparer.Ordinal);
            foreach (var result in described)
            {
                if (result.Entries.TryGetValue("retention.ms", out var entry) && entry.Value != RetentionMs.ToString(CultureInfo.InvariantCulture))
                {
                    Log.TopicRetentionMismatch(logger, result.ConfigResource.Name, entry.Value, RetentionMs);
                    mismatched.Add(result.ConfigResource.Name);
                }
            }

            return mismatched;
        }
        catch (KafkaException ex)
        {
            Log.TopicSettingsUnreadable(logger, ex.Message);
            return [];
        }
    }
}
