using K2.ClickHouse;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Health;
using K2.ClickHouse.Schema;
using K2.Kafka;
using K2.Kafka.Topics;
using K2.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Tests.ClickHouse;

/// <summary>A hot tier of its own for one test: unique database, topics and consumer groups on the shared engine and mock cluster.</summary>
internal sealed class HotTier : IAsyncDisposable
{
    private HotTier(HotTierSettings settings)
    {
        Settings = settings;
        Schema = new HotTierSchema(Gateway, settings, NullLogger<HotTierSchema>.Instance);
    }

    public static IClickHouseGateway Gateway { get; } = new EmbeddedClickHouseGateway(EmbeddedClickHouse.Engine);

    public HotTierSettings Settings { get; }

    public HotTierSchema Schema { get; }

    /// <summary>The Kafka module's seam on the shared mock cluster, with the module's default settings.</summary>
    public static KafkaConnection Kafka => new(new KafkaOptions(), EmbeddedKafka.BootstrapServers);

    public static HotTier Create(Action<ClickHouseOptions>? configure = null) => new(new HotTierSettings(NewOptions(configure), NewTopics(), EmbeddedKafka.BootstrapServers));

    public static HotTier Create(HotTierSettings settings) => new(settings);

    /// <summary>Topic names no other test uses.</summary>
    public static KafkaTopicNames NewTopics() => new($"test.{Guid.NewGuid().ToString("N")[..12]}.market.crypto.trades.");

    /// <summary>Consumer lag of the hot tier's groups, measured by the Kafka module on the shared mock cluster.</summary>
    public static KafkaConsumerLag Lag(HotTierSettings settings) => new(settings, Kafka, () => EmbeddedKafka.BootstrapServers);

    public static ClickHouseOptions NewOptions(Action<ClickHouseOptions>? configure = null)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var options = new ClickHouseOptions { Database = $"hot_{id}" };
        options.Kafka.ConsumerGroupPrefix = $"k2-test-{id}";
        options.Kafka.FlushIntervalMilliseconds = 200;
        configure?.Invoke(options);
        return options;
    }

    public string Table(string name) => Settings.Table(name);

    public async Task<long> CountAsync(string table, string where = "1") =>
        long.Parse(await Gateway.QueryScalarAsync($"SELECT count() FROM {Table(table)} WHERE {where}"), System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync() => await Gateway.ExecuteAsync($"DROP DATABASE IF EXISTS {Settings.Database} SYNC");
}
