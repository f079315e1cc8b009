using K2.ClickHouse;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Health;
using K2.Core.Health;
using K2.Core.Trades;
using K2.Kafka.Topics;
using K2.Daemon.Cli;
using K2.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace K2.Tests.ClickHouse;

/// <summary><c>k2 ddl</c> and the module's start, on the shared engine with a database of their own.</summary>
public sealed class DdlCommandTests
{
    private ClickHouseOptions _options = null!;
    private KafkaTopicNames _topics = null!;
    private IServiceProvider _services = null!;

    [SetUp]
    public void BuildServices()
    {
        _options = HotTier.NewOptions();
        _topics = HotTier.NewTopics();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Modules:Kafka:Enabled"] = "false",
            ["Modules:Kafka:Topics:Prefix"] = _topics.Prefix,
            [$"{ClickHouseOptions.SectionName}:Embedded:DataPath"] = EmbeddedClickHouse.Engine.DataPath,
            [$"{ClickHouseOptions.SectionName}:Database"] = _options.Database,
            [$"{ClickHouseOptions.SectionName}:Kafka:Brokers"] = EmbeddedKafka.BootstrapServers,
            [$"{ClickHouseOptions.SectionName}:Kafka:ConsumerGroupPrefix"] = _options.Kafka.ConsumerGroupPrefix,
        }).Build();

        // Not disposed: the provider's engine is the process-wide one the other tests share.
        _services = DdlCommand.Services(configuration, out var problems)!;
        problems.Should().BeEmpty();
    }

    [TearDown]
    public async Task DropDatabase() => await HotTier.Gateway.ExecuteAsync($"DROP DATABASE IF EXISTS {_options.Database} SYNC");

    [Test]
    public async Task Print_shows_the_sql_and_changes_nothing()
    {
        var output = new StringWriter();

        var exitCode = await DdlCommand.RunAsync(_services, DdlAction.Print, null, null, output, TextWriter.Null, CancellationToken.None);

        exitCode.Should().Be(ExitCodes.Ok);
        output.ToString().Should().Contain($"CREATE TABLE IF NOT EXISTS {_options.Database}.silver_trades")
            .And.Contain("kafka_handle_error_mode = 'stream'")
            .And.Contain($"kafka_broker_list = '{EmbeddedKafka.BootstrapServers}'");
        (await HotTier.Gateway.QueryScalarAsync($"SELECT count() FROM system.databases WHERE name = '{_options.Database}'")).Should().Be("0");
    }

    [Test]
    public async Task Print_names_the_kafka_security_collection_and_never_holds_the_sasl_password()
    {
        var password = $"ddl-sasl-{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable("K2_TEST_DDL_SASL_PASSWORD", password);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Modules:Kafka:Mode"] = "External",
            ["Modules:Kafka:BootstrapServers"] = "redpanda:9092",
            ["Modules:Kafka:Security:Protocol"] = "SaslSsl",
            ["Modules:Kafka:Security:SaslUsername"] = "k2",
            ["Modules:Kafka:Security:SaslPasswordEnvironmentVariable"] = "K2_TEST_DDL_SASL_PASSWORD",
            [$"{ClickHouseOptions.SectionName}:Embedded:DataPath"] = EmbeddedClickHouse.Engine.DataPath,
            [$"{ClickHouseOptions.SectionName}:Database"] = _options.Database,
        }).Build();
        var services = DdlCommand.Services(configuration, out var problems)!;
        problems.Should().BeEmpty();
        var output = new StringWriter();

        var exitCode = await DdlCommand.RunAsync(services, DdlAction.Print, null, null, output, TextWriter.Null, CancellationToken.None);

        exitCode.Should().Be(ExitCodes.Ok);
        output.ToString().Should().Contain($"ENGINE = Kafka({K2.ClickHouse.Schema.KafkaNamedCollection.DefaultName})")
            .And.Contain("kafka_broker_list = 'redpanda:9092'")
            .And.NotContain(password).And.NotContain("kafka_sasl_").And.NotContain("security_protocol");
        Environment.SetEnvironmentVariable("K2_TEST_DDL_SASL_PASSWORD", null);
    }

    [Test]
    public async Task Apply_twice_applies_the_migrations_once()
    {
        var first = new StringWriter();
        var second = new StringWriter();

        (await DdlCommand.RunAsync(_services, DdlAction.Apply, null, null, first, TextWriter.Null, CancellationToken.None)).Should().Be(ExitCodes.Ok);
        (await DdlCommand.RunAsync(_services, DdlAction.Apply, null, null, second, TextWriter.Null, CancellationToken.None)).Should().Be(ExitCodes.Ok);

        first.ToString().Should().Contain("7 migration(s) applied (1 kafka_errors, 2 silver_trades, 3 bronze_trades, 4 ohlcv, 5 offload_quarantine, 6 kafka_offset_bases, 7 candle_repairs)").And.Contain("3 Kafka consumer(s)");
        second.ToString().Should().Contain("0 migration(s) applied, 0 changed since applied, 0 Kafka consumer(s)");
    }

    [Test]
    public async Task Repair_without_a_range_is_refused_with_the_fix()
    {
        var error = new StringWriter();

        var exitCode = await DdlCommand.RunAsync(_services, DdlAction.RepairCandles, DateTimeOffset.UtcNow, null, TextWriter.Null, error, CancellationToken.None);

        exitCode.Should().Be(ExitCodes.Failure);
        error.ToString().Should().Contain("need --from and --to");
    }

    [Test]
    public async Task Duplicates_and_repair_run_against_the_configured_database()
    {
        await DdlCommand.RunAsync(_services, DdlAction.Apply, null, null, TextWriter.Null, TextWriter.Null, CancellationToken.None);
        var report = new StringWriter();
        var repair = new StringWriter();
        var from = new DateTimeOffset(2026, 2, 17, 0, 0, 0, TimeSpan.Zero);

        (await DdlCommand.RunAsync(_services, DdlAction.Duplicates, from, from.AddDays(1), report, TextWriter.Null, CancellationToken.None)).Should().Be(ExitCodes.Ok);
        (await DdlCommand.RunAsync(_services, DdlAction.RepairCandles, from, from.AddDays(1), repair, TextWriter.Null, CancellationToken.None)).Should().Be(ExitCodes.Ok);

        report.ToString().Should().Contain("no duplicates");
        repair.ToString().Should().Contain("0 candle(s) recomputed");
    }

    [Test]
    public async Task The_module_applies_the_migrations_when_the_daemon_starts_and_then_reports_ready()
    {
        var readiness = _services.GetServices<IReadinessCheck>().Single(c => c.Name == "clickhouse");
        readiness.Check().IsReady.Should().BeFalse();
        foreach (var exchange in ExchangeNames.All) { EmbeddedKafka.Cluster.CreateTopic(_topics.Normalized(exchange), partitions: 1); }

        await _services.GetServices<IHostedService>().OfType<HotTierStarter>().Single().StartAsync(CancellationToken.None);

        (await HotTier.Gateway.QueryScalarAsync($"SELECT count() FROM {_options.Database}.schema_migrations")).Should().Be("7");
        (await _services.GetRequiredService<ConsumerHealth>().ConsumersAsync()).Should().HaveCount(3).And.OnlyContain(c => c.AssignedPartitions > 0, "the start waits until the consumers have joined");
        readiness.Check().Should().Be(ReadinessResult.Ready($"embedded ClickHouse {await HotTier.Gateway.ServerVersionAsync()}, database {_options.Database}"));
    }
}
