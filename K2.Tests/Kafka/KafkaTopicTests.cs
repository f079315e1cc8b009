using Confluent.Kafka;
using K2.Core.Trades;
using K2.Kafka;
using K2.Kafka.Embedded;
using K2.Kafka.Topics;
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
    public async Task Every_topic_is_named_from_the_configured_prefix()
    {
        using var cluster = EmbeddedKafkaCluster.Start();
        var settings = KafkaSettings.Small(("Topics:Prefix", "desk7.trades."));
        await using var host = await KafkaModuleHost.StartAsync(TestPaths.NewScratchFolder("kafka"), settings, cluster);
        await Eventually.Holds(() => host.Publisher.TopicsReady, TimeSpan.FromSeconds(30), "topics checked");
        var frame = FixtureFrames.All().First(f => f.Exchange == Exchange.Kraken);

        await host.Trades.PublishAsync(frame.Exchange, frame.Raw, frame.Trades, frame.ReceiveTimestampUs, CancellationToken.None);
        await host.DeadLetters.PublishAsync(new DeadLetter(Exchange.Kraken, "not json", "{", frame.ReceiveTimestampUs), CancellationToken.None);
        await host.StopAsync();

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var topics = admin.GetMetadata(TimeSpan.FromSeconds(5)).Topics.Select(t => t.Topic).ToList();
        topics.Should().Contain(["desk7.trades.binance", "desk7.trades.binance.raw", "desk7.trades.kraken", "desk7.trades.coinbase", "desk7.trades.dlq"]);
        topics.Should().NotContain(t => t.StartsWith(KafkaTopicNames.DefaultPrefix, StringComparison.Ordinal));
        Kcat.ReadAll(cluster.BootstrapServers, "desk7.trades.kraken").Should().HaveCount(frame.Trades.Count);
        Kcat.ReadAll(cluster.BootstrapServers, "desk7.trades.kraken.raw").Should().ContainSingle();
        Kcat.ReadAll(cluster.BootstrapServers, "desk7.trades.dlq").Should().ContainSingle();
        host.Get<KafkaConnection>().Topics.Normalized(Exchange.Kraken).Should().Be("desk7.trades.kraken", "the seam other modules read names the same topics");
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
