using Confluent.Kafka;
using K2.ClickHouse;
using K2.ClickHouse.Embedded;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Health;
using K2.ClickHouse.Schema;
using K2.Core.Configuration;
using K2.Core.Trades;
using K2.Kafka;
using K2.Kafka.Embedded;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Bench;

/// <summary>
/// The embedded Kafka cluster and chDB engine of <c>k2 bench clickhouse-ingest</c>, with the daemon's settings: the
/// ClickHouse and Kafka modules' options as the daemon reads them from <c>K2__…</c> environment variables, the topics
/// with the Kafka module's partitions, a producer configured as the module's.
/// </summary>
internal sealed class IngestRig : IDisposable
{
    private readonly EmbeddedKafkaCluster _kafka;
    private readonly ChDbEngine _engine;
    private readonly ClickHouseOptions _options;
    private readonly KafkaOptions _kafkaOptions;
    private readonly KafkaConnection _connection;

    private IngestRig(EmbeddedKafkaCluster kafka, ChDbEngine engine, ClickHouseOptions options, KafkaOptions kafkaOptions, KafkaConnection connection)
    {
        _kafka = kafka;
        _engine = engine;
        _options = options;
        _kafkaOptions = kafkaOptions;
        _connection = connection;
        Gateway = new EmbeddedClickHouseGateway(engine);
    }

    /// <summary>
    /// Most unconsumed messages per partition before publishing holds: the embedded Kafka module's lag limit
    /// (<c>Modules:Kafka:LagThrottle:MaxLagMessages</c>).
    /// </summary>
    public static long MaxLagPerPartition { get; private set; } = new KafkaLagThrottleOptions().MaxLagMessages;

    public IClickHouseGateway Gateway { get; }

    public string ChDbVersion => ChDbEngine.LibraryVersion ?? "unknown";

    /// <exception cref="InvalidOperationException">A <c>K2__</c> setting is invalid; the message names each problem.</exception>
    public static IngestRig Start(string dataDir)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables("K2__").Build();
        var problems = new ConfigurationProblems();
        var options = OptionsBinder.Bind<ClickHouseOptions>(configuration.GetSection(ClickHouseOptions.SectionName), problems);
        var kafkaOptions = OptionsBinder.Bind<KafkaOptions>(configuration.GetSection(KafkaOptions.SectionName), problems);
        if (problems.Any) { throw new InvalidOperationException("invalid settings: " + string.Join("; ", problems.All)); }
        MaxLagPerPartition = kafkaOptions.LagThrottle.MaxLagMessages;
        kafkaOptions.Topics.Prefix = $"bench.{Guid.NewGuid():N}.";
        var kafka = EmbeddedKafkaCluster.Start();
        var connection = new KafkaConnection(kafkaOptions, kafka.BootstrapServers);
        var engine = ChDbEngine.Open(Path.Combine(dataDir, "chdb"), serverSettings: options.Embedded.ServerSettings(),
            namedCollections: [KafkaNamedCollection.Define(options.Kafka.NamedCollection, connection.Security)]);
        foreach (var exchange in ExchangeNames.All) { kafka.CreateTopic(connection.Topics.Normalized(exchange), kafkaOptions.Topics.For(exchange).Partitions); }
        return new IngestRig(kafka, engine, options, kafkaOptions, connection);
    }

    /// <summary>
    /// A hot tier in <paramref name="database"/>: the versioned migrations and, with <paramref name="withConsumers"/>, the
    /// Kafka-engine consumers, whose partitions are all assigned before this returns.
    /// </summary>
    public async Task<HotTierSettings> CreateHotTierAsync(string database, bool withConsumers, CancellationToken cancellationToken)
    {
        _options.Database = database;
        var settings = new HotTierSettings(_options, _connection.Topics, _kafka.BootstrapServers);
        if (withConsumers)
        {
            await new HotTierSchema(Gateway, settings, NullLogger<HotTierSchema>.Instance).ApplyAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var lag = new KafkaConsumerLag(settings, _connection, () => _kafka.BootstrapServers);
            await new ConsumerHealth(Gateway, settings, lag).WaitForAssignmentsAsync(TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
            return settings;
        }

        await Gateway.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {settings.Database}", cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var statement in HotTierMigrations.All(settings).SelectMany(m => m.Statements))
        {
            await Gateway.ExecuteAsync(statement, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return settings;
    }

    public Task DropAsync(HotTierSettings settings, CancellationToken cancellationToken) =>
        Gateway.ExecuteAsync($"DROP DATABASE {settings.Database} SYNC", cancellationToken: cancellationToken);

    /// <summary>The settings that shape ingestion, for the report.</summary>
    public Dictionary<string, object> Describe(HotTierSettings settings) => new()
    {
        ["kafka_flush_interval_ms"] = settings.FlushIntervalMilliseconds,
        ["kafka_max_block_size"] = settings.MaxBlockSize,
        ["kafka_poll_timeout_ms"] = settings.PollTimeoutMilliseconds,
        ["kafka_poll_max_batch_size"] = settings.PollMaxBatchSize,
        ["kafka_num_consumers"] = settings.Consumers,
        ["consumer_threads"] = _options.Embedded.KafkaConsumerThreads,
        ["partitions"] = ExchangeNames.All.ToDictionary(e => e.ToWire(), e => _kafkaOptions.Topics.For(e).Partitions),
        ["max_lag_per_partition"] = MaxLagPerPartition,
        ["producer"] = $"{_kafkaOptions.Producer.Compression}, linger {_kafkaOptions.Producer.LingerMs} ms",
    };

    /// <summary>A producer configured as the Kafka module's (compression, linger, batch size, idempotence).</summary>
    public IProducer<string, byte[]> NewProducer() => new ProducerBuilder<string, byte[]>(new ProducerConfig
    {
        BootstrapServers = _kafka.BootstrapServers,
        EnableIdempotence = true,
        Acks = Acks.All,
        CompressionType = _kafkaOptions.Producer.Compression == KafkaCompression.Zstd ? CompressionType.Zstd : CompressionType.Lz4,
        LingerMs = _kafkaOptions.Producer.LingerMs,
        BatchSize = _kafkaOptions.Producer.BatchBytes,
    }).Build();

    /// <summary>Publishes the trades to their normalized topics, keyed <c>exchange|symbol</c>; returns the bytes of their messages.</summary>
    /// <param name="flush">Wait until every one is acknowledged (and fail if one is not).</param>
    public long Publish(IProducer<string, byte[]> producer, HotTierSettings settings, IEnumerable<NormalizedTrade> trades, bool flush = true)
    {
        long bytes = 0;
        var failed = 0;
        foreach (var trade in trades)
        {
            var value = NormalizedTradeJson.Encode(trade);
            bytes += value.Length;
            producer.Produce(settings.Topic(trade.Exchange), new Message<string, byte[]> { Key = NormalizedTradeJson.Key(trade), Value = value }, report =>
            {
                if (report.Error.IsError) { Interlocked.Increment(ref failed); }
            });
        }

        if (flush) { producer.Flush(TimeSpan.FromMinutes(1)); }
        if (Volatile.Read(ref failed) > 0) { throw new InvalidOperationException($"{failed} synthetic trades were not delivered to the embedded Kafka cluster"); }
        return bytes;
    }

    public void Dispose()
    {
        _engine.Dispose();
        _kafka.Dispose();
    }
}
