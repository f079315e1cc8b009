using System.Text;
using System.Xml.Linq;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Health;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Kafka;
using K2.Tests.Support;
using Microsoft.Extensions.Logging;

namespace K2.Tests.ClickHouse;

/// <summary>
/// The Kafka engine's queue tables take the cluster's security settings from a named collection in the engine's
/// configuration: the DDL names the collection, and the SASL password is read from the environment, never written.
/// </summary>
public sealed class KafkaEngineSecurityTests
{
    [Test]
    public async Task The_queue_tables_name_the_collection_the_engine_was_configured_with()
    {
        await using var hotTier = HotTier.Create();

        await hotTier.Schema.ApplyAsync();

        var engines = await HotTier.Gateway.QueryRowsAsync(
            "SELECT engine_full FROM system.tables WHERE database = {db:String} AND engine = 'Kafka'", new Dictionary<string, string> { ["db"] = hotTier.Settings.Database });
        engines.Should().HaveCount(ExchangeNames.All.Count).And.OnlyContain(row => row[0].StartsWith($"Kafka({KafkaNamedCollection.DefaultName}) SETTINGS", StringComparison.Ordinal));
        (await HotTier.Gateway.QueryScalarAsync($"SELECT source FROM system.named_collections WHERE name = '{KafkaNamedCollection.DefaultName}'")).Should().Be("CONFIG");
    }

    [Test]
    public async Task Sasl_settings_reach_the_engine_while_the_password_stays_out_of_ddl_tables_files_and_logs()
    {
        var logs = new LogLines();
        await using var hotTier = HotTier.Create(o => o.Kafka.NamedCollection = EmbeddedClickHouse.SaslCollection);
        foreach (var exchange in ExchangeNames.All) { EmbeddedKafka.Cluster.CreateTopic(hotTier.Settings.Topic(exchange), partitions: 1); }
        var schema = new HotTierSchema(HotTier.Gateway, hotTier.Settings, logs.CreateLogger<HotTierSchema>());

        await schema.ApplyAsync();

        // The mock cluster speaks no SASL: the consumers' failed handshakes show the settings reached librdkafka.
        var health = new ConsumerHealth(HotTier.Gateway, hotTier.Settings, HotTier.Lag(hotTier.Settings));
        await Eventually.Holds(
            async () => (await health.ConsumersAsync()).Any(c => c.LastException?.Contains("SASL", StringComparison.Ordinal) == true),
            TimeSpan.FromSeconds(45), "a consumer attempted a SASL handshake");
        var password = EmbeddedClickHouse.SaslPassword;
        schema.Script().Should().Contain($"ENGINE = Kafka({EmbeddedClickHouse.SaslCollection})").And.NotContain(password).And.NotContain("kafka_sasl_").And.NotContain("security_protocol");
        (await HotTier.Gateway.QueryTextAsync($"SELECT create_table_query, engine_full FROM system.tables WHERE database = '{hotTier.Settings.Database}'")).Should().NotContain(password);
        (await HotTier.Gateway.QueryTextAsync("SELECT name, collection FROM system.named_collections")).Should().Contain(EmbeddedClickHouse.SaslCollection).And.NotContain(password);
        var configuration = Directory.EnumerateFiles(EmbeddedClickHouse.Engine.DataPath, "*.xml").Select(File.ReadAllText).ToList();
        configuration.Should().Contain(text => text.Contains($"from_env=\"{EmbeddedClickHouse.SaslPasswordVariable}\"", StringComparison.Ordinal));
        configuration.Concat(Directory.EnumerateFiles(EmbeddedClickHouse.Engine.DataPath, "*.sql", SearchOption.AllDirectories).Select(File.ReadAllText))
            .Should().NotContain(text => text.Contains(password, StringComparison.Ordinal));
        logs.Text.Should().Contain(hotTier.Settings.Topic(Exchange.Kraken)).And.NotContain(password);
    }

    [Test]
    public void The_server_configuration_documented_for_production_is_what_the_daemon_defines_for_the_same_settings()
    {
        var doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "clickhouse.md"));
        var section = doc[doc.IndexOf("### Kafka security", StringComparison.Ordinal)..];
        var xml = section[(section.IndexOf("```xml", StringComparison.Ordinal) + "```xml".Length)..section.IndexOf("\n```\n", StringComparison.Ordinal)];
        var documented = XElement.Parse(xml).Element("named_collections")!.Element(KafkaNamedCollection.DefaultName)!;
        var options = new KafkaOptions();
        options.Security.Protocol = KafkaSecurityProtocol.SaslSsl;
        options.Security.SaslMechanism = KafkaSaslMechanism.ScramSha512;
        options.Security.SaslUsername = "k2";
        options.Security.SaslPasswordEnvironmentVariable = "K2_KAFKA_PASSWORD";
        options.Security.SslCaLocation = "/etc/clickhouse-server/kafka-ca.pem";

        var defined = KafkaNamedCollection.Define(KafkaNamedCollection.DefaultName, new KafkaConnection(options, bootstrapServers: null).Security);

        XNode.DeepEquals(documented, defined).Should().BeTrue($"docs/clickhouse.md shows {documented}, the daemon defines {defined}");
    }

    /// <summary>What the loggers created from it wrote, formatted, one line per entry.</summary>
    private sealed class LogLines : ILoggerFactory, ILoggerProvider, ILogger
    {
        private readonly StringBuilder _text = new();

        public string Text
        {
            get { lock (_text) { return _text.ToString(); } }
        }

        public ILogger<T> CreateLogger<T>() => new Logger<T>(this);

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_text) { _text.AppendLine(formatter(state, exception)); }
        }

        public void Dispose()
        {
        }
    }
}
