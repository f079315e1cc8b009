using Confluent.Kafka;
using Confluent.Kafka.Admin;
using K2.Kafka;
using K2.Kafka.Topics;
using Microsoft.Extensions.Logging.Abstractions;
using K2.Tests.Support;

namespace K2.Tests.Kafka;

/// <summary>
/// Runs only when K2_TEST_KAFKA_DISPOSABLE_BOOTSTRAP names real, disposable brokers (the test drops and recreates a K2 topic; e.g. the docker-compose Redpanda):
/// the embedded mock cluster has no DescribeConfigs, so a retention mismatch can only be seen on real brokers.
/// </summary>
[TestFixture]
public sealed class ExternalTopicRetentionTests
{
    [Test]
    public async Task An_existing_topic_with_another_retention_is_left_alone_and_reported()
    {
        var brokers = Environment.GetEnvironmentVariable("K2_TEST_KAFKA_DISPOSABLE_BOOTSTRAP");
        if (string.IsNullOrWhiteSpace(brokers)) { Assert.Ignore("K2_TEST_KAFKA_DISPOSABLE_BOOTSTRAP is not set: no real brokers to compare topic settings on."); }
        var options = new KafkaOptions { Mode = KafkaMode.External, BootstrapServers = brokers };
        var topic = new KafkaTopicNames().Normalized(K2.Core.Trades.Exchange.Kraken);
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = brokers }).Build())
        {
            try { await admin.DeleteTopicsAsync([topic]); }
            catch (DeleteTopicsException) { }

            await Eventually.Holds(() => !admin.GetMetadata(topic, TimeSpan.FromSeconds(5)).Topics.Any(t => t.Error.Code == ErrorCode.NoError), TimeSpan.FromSeconds(30), "old topic gone");
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = topic,
                NumPartitions = options.Topics.For(K2.Core.Trades.Exchange.Kraken).Partitions,
                ReplicationFactor = 1,
                Configs = new Dictionary<string, string> { ["retention.ms"] = "3600000" },
            }]);
        }

        using var bootstrap = new KafkaBootstrap(options);
        await new TopicAdministrator(options, bootstrap, new KafkaConnection(options, bootstrap), NullLogger<TopicAdministrator>.Instance).EnsureAsync(CancellationToken.None);

        KafkaMetrics.TopicMismatch.WithLabels(topic).Value.Should().Be(1, "the topic keeps 1 h, the configuration 7 days");
    }
}
