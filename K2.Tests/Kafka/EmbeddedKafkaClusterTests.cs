using Confluent.Kafka;
using K2.Kafka.Embedded;
using K2.Tests.Support;

namespace K2.Tests.Kafka;

public sealed class EmbeddedKafkaClusterTests
{
    [Test]
    public void Messages_round_trip_through_the_mock_cluster_over_the_kafka_protocol()
    {
        var topic = EmbeddedKafka.NewTopicName();
        EmbeddedKafka.Cluster.CreateTopic(topic, partitions: 3);
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = EmbeddedKafka.BootstrapServers, EnableIdempotence = true }).Build())
        {
            for (var i = 0; i < 100; i++)
            {
                producer.Produce(topic, new Message<string, string> { Key = $"k{i % 5}", Value = $"v{i}" });
            }

            producer.Flush(TimeSpan.FromSeconds(10)).Should().Be(0);
        }

        var received = Consume(EmbeddedKafka.BootstrapServers, topic, 100);

        received.Should().HaveCount(100);
        received.Select(m => m.Message.Value).Should().BeEquivalentTo(Enumerable.Range(0, 100).Select(i => $"v{i}"));
        received.GroupBy(m => m.Message.Key).Should().OnlyContain(g => g.Select(m => m.Partition.Value).Distinct().Count() == 1);
        foreach (var byKey in received.GroupBy(m => m.Message.Key))
        {
            byKey.Select(m => int.Parse(m.Message.Value[1..])).Should().BeInAscendingOrder();
        }
    }

    [Test]
    public void A_broker_taken_down_refuses_delivery_until_it_is_up_again()
    {
        using var cluster = EmbeddedKafkaCluster.Start(brokerCount: 1);
        var topic = EmbeddedKafka.NewTopicName("outage");
        cluster.CreateTopic(topic, partitions: 1);
        var config = new ProducerConfig { BootstrapServers = cluster.BootstrapServers, EnableIdempotence = true, MessageTimeoutMs = 60_000 };
        using var producer = new ProducerBuilder<Null, string>(config).Build();
        producer.ProduceAsync(topic, new Message<Null, string> { Value = "before" }).Result.Status.Should().Be(PersistenceStatus.Persisted);

        cluster.SetAllBrokersDown();
        var during = producer.ProduceAsync(topic, new Message<Null, string> { Value = "during" });
        Task.WaitAny([during], TimeSpan.FromSeconds(2)).Should().Be(-1, "nothing can be acknowledged while the broker is down");

        cluster.SetAllBrokersUp();
        during.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();
        during.Result.Status.Should().Be(PersistenceStatus.Persisted);
        Consume(cluster.BootstrapServers, topic, 2).Select(m => m.Message.Value).Should().Equal("before", "during");
    }

    private static List<ConsumeResult<string, string>> Consume(string bootstrap, string topic, int count)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"g-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        };
        using var consumer = new ConsumerBuilder<string, string>(config).Build();
        consumer.Subscribe(topic);
        var results = new List<ConsumeResult<string, string>>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (results.Count < count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is { IsPartitionEOF: false }) { results.Add(result); }
        }

        consumer.Close();
        return results;
    }
}
