using K2.ClickHouse;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Configuration;
using K2.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Tests.ClickHouse;

public sealed class MigrationTests
{
    [Test]
    public async Task Applying_the_migrations_twice_changes_nothing_the_second_time()
    {
        await using var hotTier = HotTier.Create();

        var first = await hotTier.Schema.ApplyAsync();
        var objectsAfterFirst = await ObjectsAsync(hotTier);
        var second = await hotTier.Schema.ApplyAsync();

        first.Applied.Select(m => m.Version).Should().Equal(1, 2, 3, 4, 5, 6, 7);
        first.ConsumersCreated.Should().HaveCount(3);
        second.Applied.Should().BeEmpty();
        second.Changed.Should().BeEmpty();
        second.ConsumersCreated.Should().BeEmpty();
        (await ObjectsAsync(hotTier)).Should().Equal(objectsAfterFirst);
        (await hotTier.CountAsync(HotTierMigrations.MigrationsTable)).Should().Be(7);
        objectsAfterFirst.Select(o => o.Split('\t')[0]).Should().Contain(
        [
            "bronze_trades_binance", "bronze_trades_kraken", "bronze_trades_coinbase", "silver_trades", "kafka_errors",
            "kafka_trades_binance", "kafka_trades_kraken", "kafka_trades_coinbase",
            "ohlcv_1m", "ohlcv_5m", "ohlcv_15m", "ohlcv_30m", "ohlcv_1h", "ohlcv_1d",
            "ohlcv_1m_final", "ohlcv_1d_final", "schema_migrations", "offload_quarantine",
        ]);
    }

    [TestCase("23.8.2.7")]
    [TestCase("24.2.1")]
    [TestCase("garbage")]
    public async Task A_server_older_than_24_3_is_refused_before_anything_is_created(string version)
    {
        await using var hotTier = HotTier.Create();

        var act = () => hotTier.Schema.ApplyAsync(serverVersionOverride: version);

        (await act.Should().ThrowAsync<UnsupportedServerVersionException>()).Which.Message.Should().Contain(version).And.Contain("24.3");
        (await HotTier.Gateway.QueryScalarAsync($"SELECT count() FROM system.databases WHERE name = '{hotTier.Settings.Database}'")).Should().Be("0");
    }

    [TestCase("24.3.1.2672")]
    [TestCase("25.8.1")]
    public void Servers_from_24_3_on_are_accepted(string version) =>
        ServerVersion.EnsureSupported(version).Should().BeGreaterThanOrEqualTo(new Version(24, 3));

    [Test]
    public async Task A_changed_consumer_configuration_recreates_only_the_consumers()
    {
        var options = HotTier.NewOptions();
        await using var hotTier = HotTier.Create(o => o.Database = options.Database);
        await hotTier.Schema.ApplyAsync();
        options.Kafka.FlushIntervalMilliseconds = 750;
        var changed = new HotTierSchema(HotTier.Gateway, new HotTierSettings(options, HotTier.NewTopics(), Support.EmbeddedKafka.BootstrapServers), Microsoft.Extensions.Logging.Abstractions.NullLogger<HotTierSchema>.Instance);

        var result = await changed.ApplyAsync();

        result.Applied.Should().BeEmpty();
        result.ConsumersCreated.Should().HaveCount(3);
        (await HotTier.Gateway.QueryScalarAsync($"SELECT engine_full FROM system.tables WHERE database = '{options.Database}' AND name = 'kafka_trades_kraken'"))
            .Should().Contain("kafka_flush_interval_ms = 750");
    }

    [Test]
    public async Task Ttls_come_from_configuration_and_run_on_insert_time()
    {
        await using var hotTier = HotTier.Create(o => { o.Retention.BronzeDays = 3; o.Retention.SilverDays = 11; });
        await hotTier.Schema.ApplyAsync();

        var bronze = await HotTier.Gateway.QueryScalarAsync($"SELECT create_table_query FROM system.tables WHERE database = '{hotTier.Settings.Database}' AND name = 'bronze_trades_coinbase'");
        var silver = await HotTier.Gateway.QueryScalarAsync($"SELECT create_table_query FROM system.tables WHERE database = '{hotTier.Settings.Database}' AND name = 'silver_trades'");

        bronze.Should().MatchRegex(@"TTL toDateTime\(ingested_at\) \+ (toIntervalDay\(3\)|INTERVAL 3 DAY)");
        silver.Should().MatchRegex(@"TTL toDateTime\(ingested_at\) \+ (toIntervalDay\(11\)|INTERVAL 11 DAY)");
    }

    [Test]
    public void On_cluster_the_script_uses_on_cluster_and_replicated_engines()
    {
        var settings = new HotTierSettings(HotTier.NewOptions(o => o.Cluster = "k2_cluster"), "redpanda:9092");

        var script = new HotTierSchema(HotTier.Gateway, settings, Microsoft.Extensions.Logging.Abstractions.NullLogger<HotTierSchema>.Instance).Script();

        script.Should().Contain($"CREATE DATABASE IF NOT EXISTS {settings.Database} ON CLUSTER k2_cluster")
            .And.Contain("ENGINE = ReplicatedReplacingMergeTree(ingested_at)")
            .And.Contain("ENGINE = ReplicatedAggregatingMergeTree()")
            .And.Contain("kafka_broker_list = 'redpanda:9092'")
            .And.NotContain("ENGINE = MergeTree");
    }

    [TestCase(ClickHouseOptions.SectionName, "Database", "k2; DROP DATABASE k2")]
    [TestCase(ClickHouseOptions.SectionName, "Cluster", "c'x")]
    [TestCase(ClickHouseOptions.SectionName, "Kafka:Brokers", "host:9092' , kafka_format='x")]
    [TestCase(KafkaOptions.SectionName, "Topics:Prefix", "market crypto")]
    [TestCase(ClickHouseOptions.SectionName, "Kafka:ConsumerGroupPrefix", "g'")]
    [TestCase(ClickHouseOptions.SectionName, "Kafka:NamedCollection", "k2_kafka) SETTINGS kafka_format='x")]
    public void Identifiers_from_configuration_are_validated_before_they_reach_sql(string section, string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [$"{section}:{key}"] = value }).Build();
        var services = new ServiceCollection();

        services.AddKafka(configuration);
        services.AddClickHouse(configuration);

        services.GetConfigurationProblems().All.Should().Contain(p => p.Contains($"{section}:{key}"));
    }

    [Test]
    public async Task The_consumers_take_their_poll_block_and_consumer_settings_from_configuration()
    {
        await using var hotTier = HotTier.Create(o =>
        {
            o.Kafka.FlushIntervalMilliseconds = 400;
            o.Kafka.PollTimeoutMilliseconds = 50;
            o.Kafka.MaxBlockSize = 100_000;
            o.Kafka.PollMaxBatchSize = 20_000;
            o.Kafka.Consumers = 2;
        });
        await hotTier.Schema.ApplyAsync();

        var engine = await HotTier.Gateway.QueryScalarAsync($"SELECT engine_full FROM system.tables WHERE database = '{hotTier.Settings.Database}' AND name = 'kafka_trades_binance'");

        engine.Should().Contain("kafka_flush_interval_ms = 400").And.Contain("kafka_poll_timeout_ms = 50")
            .And.Contain("kafka_max_block_size = 100000").And.Contain("kafka_poll_max_batch_size = 20000")
            .And.Contain("kafka_num_consumers = 2").And.Contain("kafka_thread_per_consumer = 1");
        (await HotTier.Gateway.QueryScalarAsync($"SELECT count() FROM system.kafka_consumers WHERE database = '{hotTier.Settings.Database}' AND table = 'kafka_trades_binance'"))
            .Should().Be("2");
    }

    [Test]
    public void One_consumer_reads_on_the_shared_thread_and_polls_a_block_at_most()
    {
        var ddl = string.Join('\n', KafkaConsumerDdl.Create(new HotTierSettings(new ClickHouseOptions(), "localhost:9092"), K2.Core.Trades.Exchange.Kraken));

        ddl.Should().Contain("kafka_num_consumers = 1").And.Contain("kafka_thread_per_consumer = 0")
            .And.Contain("kafka_flush_interval_ms = 2000").And.Contain("kafka_poll_timeout_ms = 10").And.Contain("kafka_poll_max_batch_size = 65536");
    }

    [TestCase("PollTimeoutMilliseconds", "600", "FlushIntervalMilliseconds", "500", "Kafka:PollTimeoutMilliseconds", "below FlushIntervalMilliseconds")]
    [TestCase("PollMaxBatchSize", "100000", "MaxBlockSize", "65536", "Kafka:PollMaxBatchSize", "at most MaxBlockSize")]
    [TestCase("Consumers", "0", "MaxBlockSize", "65536", "Kafka:Consumers", "1–64")]
    [TestCase("PollTimeoutMilliseconds", "5", "FlushIntervalMilliseconds", "500", "Kafka:PollTimeoutMilliseconds", "10–5000")]
    public void Consumer_settings_that_cannot_work_are_refused_naming_the_key(string key, string value, string otherKey, string otherValue, string reported, string reason)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{ClickHouseOptions.SectionName}:Kafka:{key}"] = value,
            [$"{ClickHouseOptions.SectionName}:Kafka:{otherKey}"] = otherValue,
        }).Build();
        var services = new ServiceCollection();

        services.AddKafka(configuration);
        services.AddClickHouse(configuration);

        services.GetConfigurationProblems().All.Should().Contain(p => p.Contains($"{ClickHouseOptions.SectionName}:{reported}") && p.Contains(reason));
    }

    [Test]
    public void The_embedded_engine_caps_how_long_the_mock_cluster_holds_an_empty_fetch()
    {
        new EmbeddedClickHouseOptions().ServerSettings().Should().Contain("kafka.fetch_wait_max_ms", "10");
        new EmbeddedClickHouseOptions { KafkaFetchWaitMilliseconds = 40 }.ServerSettings().Should().Contain("kafka.fetch_wait_max_ms", "40");
    }

    [Test]
    public void Settings_refuse_an_identifier_that_bypassed_options_validation()
    {
        var act = () => new HotTierSettings(new ClickHouseOptions { Database = "x;y" }, "localhost:9092");

        act.Should().Throw<ArgumentException>().WithMessage("*Modules:ClickHouse:Database*x;y*");
    }

    private static async Task<List<string>> ObjectsAsync(HotTier hotTier)
    {
        var rows = await HotTier.Gateway.QueryRowsAsync(
            "SELECT name, engine, metadata_modification_time FROM system.tables WHERE database = {db:String} ORDER BY name",
            new Dictionary<string, string> { ["db"] = hotTier.Settings.Database });
        return rows.Select(r => string.Join('\t', r)).ToList();
    }
}
