using Confluent.Kafka;
using K2.Kafka;
using K2.Kafka.Embedded;
using K2.Tests.Support;

namespace K2.Tests.Kafka;

[TestFixture]
public sealed class KafkaTopicTests
{
    [Test]
    public async Task Missing_topics_are_created_and_an_existing_one_is_left_as_it_is_with_the_mismatch_reported()
    {
        using var cluster = EmbeddedKafkaCluster.Start();
        cluster.CreateTopic("market.crypto.trades.kraken", 3);
        var settings = KafkaSettings.Small(("Topics:Exchanges:coinbase:PublishRaw", "false"));
        await using var host = await KafkaModuleHost.StartAsync(TestPaths.NewScratchFolder("kafka"), settings, cluster);
        await Eventually.Holds(() => host.Publisher.TopicsReady, TimeSpan.FromSeconds(30), "topics checked");

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var partitions = admin.GetMetadata(TimeSpan.FromSeconds(5)).Topics.ToDictionary(t => t.Topic, t => t.Partitions.Count);
        partitions.Should().Contain(new Dictionary<string, int>
        {
            ["market.crypto.trades.binance"] = 4,
            ["market.crypto.trades.binance.raw"] = 2,
            ["market.crypto.trades.kraken"] = 3,
            ["market.crypto.trades.kraken.raw"] = 1,
            ["market.crypto.trades.coinbase"] = 2,
            ["market.crypto.trades.dlq"] = 1,
        });
        partitions.Should().NotContainKey("market.crypto.trades.coinbase.raw", "raw publishing is off for coinbase");
        KafkaMetrics.TopicMismatch.WithLabels("market.crypto.trades.kraken").Value.Should().Be(1);
    }

    [Test]
    public async Task Sasl_without_a_password_in_the_environment_fails_fast_naming_the_key()
    {
        var act = () => KafkaModuleHost.StartAsync(TestPaths.NewScratchFolder("kafka"), new Dictionary<string, string?>
        {
            ["Mode"] = "External",
            ["BootstrapServers"] = "127.0.0.1:1",
            ["Security:Protocol"] = "SaslSsl",
            ["Security:SaslUsername"] = "k2",
            ["Security:SaslPasswordEnvironmentVariable"] = "K2_TEST_UNSET_KAFKA_PASSWORD",
        });

        (await act.Should().ThrowAsync<InvalidOperationException>())
            .WithMessage("*Modules:Kafka:Security:SaslPasswordEnvironmentVariable*K2__Modules__Kafka__Security__SaslPassword*");
    }
}
