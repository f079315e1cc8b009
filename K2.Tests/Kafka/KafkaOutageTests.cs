using K2.Core.Health;
using K2.Kafka.Embedded;
using K2.Tests.Support;

namespace K2.Tests.Kafka;

[TestFixture]
public sealed class KafkaOutageTests
{
    private const string Topic = "market.crypto.trades.binance";

    /// <summary>
    /// With the ack window above MaxInFlight the spool takes over as soon as the producer holds
    /// MaxInFlight records; with it below, the producer is paced while the brokers acknowledge, and
    /// the outage must still end in the spool.
    /// </summary>
    [TestCase("100", "5000", TestName = "Broker_outage_while_trades_keep_arriving_delivers_every_trade_once_in_order")]
    [TestCase("1000", "100", TestName = "Broker_outage_with_a_paced_producer_delivers_every_trade_once_in_order")]
    public async Task Broker_outage_while_trades_keep_arriving(string maxInFlight, string ackWindow)
    {
        using var cluster = EmbeddedKafkaCluster.Start();
        var trades = SyntheticTrades.Interleaved(symbols: 8, perSymbol: 1000);
        var settings = KafkaSettings.Small(("Producer:MaxInFlight", maxInFlight), ("Producer:AckWindow", ackWindow));
        await using var host = await KafkaModuleHost.StartAsync(TestPaths.NewScratchFolder("kafka"), settings, cluster);
        var publisher = host.Publisher;
        await Eventually.Holds(() => publisher.TopicsReady, TimeSpan.FromSeconds(30), "topics created");

        await SyntheticTrades.PublishAsync(host.Trades, trades[..2000]);
        cluster.SetAllBrokersDown();
        await SyntheticTrades.PublishAsync(host.Trades, trades[2000..5000]);
        await Eventually.Holds(() => publisher.SpooledRecords > 0, TimeSpan.FromSeconds(30), "records spooled during the outage");

        var rest = SyntheticTrades.PublishAsync(host.Trades, trades[5000..]);
        cluster.SetAllBrokersUp();
        await rest;
        await Eventually.Holds(() => publisher.IsDrained, TimeSpan.FromSeconds(30), "spool replayed and everything acknowledged");
        await host.StopAsync();

        SyntheticTrades.ShouldHoldExactlyOnceInOrder(Kcat.ReadAll(cluster.BootstrapServers, Topic), trades);
    }

    [Test]
    public async Task Restarting_the_publisher_mid_outage_loses_nothing()
    {
        using var cluster = EmbeddedKafkaCluster.Start();
        var dataDir = TestPaths.NewScratchFolder("kafka");
        var settings = KafkaSettings.Small(("Producer:ShutdownFlushSeconds", "1"));
        var trades = SyntheticTrades.Interleaved(symbols: 6, perSymbol: 500);

        await using (var first = await KafkaModuleHost.StartAsync(dataDir, settings, cluster))
        {
            await Eventually.Holds(() => first.Publisher.TopicsReady, TimeSpan.FromSeconds(30), "topics created");
            await SyntheticTrades.PublishAsync(first.Trades, trades[..1000]);
            await Eventually.Holds(() => first.Publisher.IsDrained, TimeSpan.FromSeconds(30), "first part acknowledged");
            cluster.SetAllBrokersDown();
            await SyntheticTrades.PublishAsync(first.Trades, trades[1000..2000]);
        }

        await using var second = await KafkaModuleHost.StartAsync(dataDir, settings, cluster);
        second.Publisher.SpooledRecords.Should().Be(1000, "what the first publisher could not deliver waits in the spool");
        await SyntheticTrades.PublishAsync(second.Trades, trades[2000..]);
        cluster.SetAllBrokersUp();
        await Eventually.Holds(() => second.Publisher.IsDrained, TimeSpan.FromSeconds(60), "spool replayed after the restart");
        await second.StopAsync();

        SyntheticTrades.ShouldHoldExactlyOnceInOrder(Kcat.ReadAll(cluster.BootstrapServers, Topic), trades);
    }

    [Test]
    public async Task A_full_spool_pauses_ingest_until_the_brokers_return()
    {
        using var cluster = EmbeddedKafkaCluster.Start();
        cluster.SetAllBrokersDown();
        var settings = KafkaSettings.Small(("Spool:MaxBytes", "1048576"), ("Spool:SegmentBytes", "65536"));
        var trades = SyntheticTrades.Interleaved(symbols: 4, perSymbol: 1500);
        await using var host = await KafkaModuleHost.StartAsync(TestPaths.NewScratchFolder("kafka"), settings, cluster);
        var publisher = host.Publisher;

        var publishing = SyntheticTrades.PublishAsync(host.Trades, trades);
        await Eventually.Holds(() => publisher.IsPaused, TimeSpan.FromSeconds(30), "ingest paused on the full spool");
        publishing.IsCompleted.Should().BeFalse("PublishAsync waits while the spool is full");
        host.Get<IEnumerable<IReadinessCheck>>().Single(c => c.Name == "kafka").Check().IsReady.Should().BeFalse();
        publisher.SpooledBytes.Should().BeLessThanOrEqualTo(1048576).And.BeGreaterThan(1048576 * 9 / 10);

        cluster.SetAllBrokersUp();
        await publishing.WaitAsync(TimeSpan.FromSeconds(60));
        await Eventually.Holds(() => publisher.IsDrained, TimeSpan.FromSeconds(60), "spool replayed");
        publisher.IsPaused.Should().BeFalse();
        await host.StopAsync();

        SyntheticTrades.ShouldHoldExactlyOnceInOrder(Kcat.ReadAll(cluster.BootstrapServers, Topic), trades);
    }
}
