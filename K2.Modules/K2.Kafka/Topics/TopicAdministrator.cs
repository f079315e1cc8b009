using Confluent.Kafka;
using Confluent.Kafka.Admin;
using K2.Core.Trades;
using Microsoft.Extensions.Logging;

namespace K2.Kafka.Topics;

/// <summary>Creates the missing K2 topics; never alters an existing one, but reports a partition mismatch.</summary>
internal sealed class TopicAdministrator(KafkaOptions options, ILogger logger)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The topics and partition counts the configuration asks for.</summary>
    public IReadOnlyList<(string Topic, int Partitions)> Wanted()
    {
        var topics = new List<(string, int)>();
        foreach (var exchange in ExchangeNames.All)
        {
            var config = options.Topics.For(exchange);
            topics.Add((TopicNames.Normalized(exchange), config.Partitions));
            if (config.PublishRaw) { topics.Add((TopicNames.Raw(exchange), config.RawPartitions)); }
        }

        topics.Add((TopicNames.DeadLetters, options.Topics.DeadLetterPartitions));
        return topics;
    }

    /// <summary>
    /// Checks and creates the topics. The embedded mock cluster has no controller for CreateTopics, so
    /// there topics are created through its own API (retention does not apply to it).
    /// </summary>
    public async Task EnsureAsync(KafkaBootstrap bootstrap, CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(KafkaClientConfig.Apply(new AdminClientConfig(), options, bootstrap.BootstrapServers)).Build();
        var metadata = admin.GetMetadata(Timeout);
        var existing = metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError).ToDictionary(t => t.Topic, t => t.Partitions.Count);
        var replication = (short)Math.Min(options.Topics.ReplicationFactor, metadata.Brokers.Count);
        var missing = new List<TopicSpecification>();
        foreach (var (topic, partitions) in Wanted())
        {
            if (existing.TryGetValue(topic, out var actual))
            {
                var mismatch = actual != partitions;
                KafkaMetrics.TopicMismatch.WithLabels(topic).Set(mismatch ? 1 : 0);
                if (mismatch) { Log.TopicMismatch(logger, topic, actual, partitions); }
                continue;
            }

            missing.Add(new TopicSpecification
            {
                Name = topic,
                NumPartitions = partitions,
                ReplicationFactor = replication,
                Configs = new Dictionary<string, string> { ["retention.ms"] = ((long)options.Topics.RetentionHours * 3_600_000).ToString(System.Globalization.CultureInfo.InvariantCulture) },
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
}
