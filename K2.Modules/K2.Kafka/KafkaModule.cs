using K2.Core.Configuration;
using K2.Core.Health;
using K2.Core.Trades;
using K2.Kafka.Embedded;
using K2.Kafka.Fallback;
using K2.Kafka.Lag;
using K2.Kafka.Publishing;
using K2.Kafka.Topics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Kafka;

public static class KafkaModule
{
    /// <summary>
    /// Kafka publishing (embedded mock cluster or external brokers): the trade and dead-letter sinks,
    /// topics, spool, and the <see cref="KafkaConnection"/> other modules reach the cluster through.
    /// <c>Modules:Kafka:Enabled</c>; when disabled, the sinks write local JSONL files and the connection
    /// has no brokers of its own.
    /// </summary>
    public static IServiceCollection AddKafka(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<KafkaOptions>(configuration, KafkaOptions.SectionName);
        if (!options.Enabled)
        {
            var folder = K2Paths.UnderDataDir(configuration, options.FallbackDir, "kafka-fallback");
            services.AddSingleton(new KafkaConnection(options, bootstrapServers: null));
            services.AddSingleton(sp => new FileSinks(folder, sp.GetRequiredService<ILogger<FileSinks>>()));
            services.AddSingleton<ITradeSink>(sp => sp.GetRequiredService<FileSinks>());
            services.AddSingleton<IDeadLetterSink>(sp => sp.GetRequiredService<FileSinks>());
            return services;
        }

        var spoolFolder = K2Paths.UnderDataDir(configuration, options.Spool.Path, "spool");
        services.TryAddSingleton<KafkaBootstrap>();
        services.AddSingleton(sp => new KafkaConnection(options, sp.GetRequiredService<KafkaBootstrap>()));

        // The host stops services in reverse order: the publisher, registered last here, drains and flushes while
        // topic administration and lag monitoring still run, and the daemon registers this module before the
        // ingestors, so the publisher stops after them.
        services.AddSingleton<TopicAdministrator>();
        services.AddHostedService(sp => sp.GetRequiredService<TopicAdministrator>());
        services.AddSingleton<ConsumerLagMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<ConsumerLagMonitor>());
        if (options.Mode == KafkaMode.Embedded && options.EmbeddedRetention.Enabled) { services.AddHostedService<EmbeddedLogTrimmer>(); }
        if (options.Mode == KafkaMode.Embedded && options.EmbeddedOutage.AfterSeconds > 0) { services.AddHostedService<EmbeddedOutage>(); }

        services.AddSingleton(sp => new KafkaPublisher(
            options,
            sp.GetRequiredService<KafkaBootstrap>(),
            sp.GetRequiredService<KafkaConnection>(),
            sp.GetRequiredService<TopicAdministrator>(),
            sp.GetRequiredService<ConsumerLagMonitor>(),
            spoolFolder,
            sp.GetRequiredService<ILogger<KafkaPublisher>>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton<ITradeSink>(sp => sp.GetRequiredService<KafkaPublisher>());
        services.AddSingleton<IDeadLetterSink>(sp => sp.GetRequiredService<KafkaPublisher>());
        services.AddSingleton<IKafkaPublisherState>(sp => sp.GetRequiredService<KafkaPublisher>());
        services.AddHostedService<KafkaPublisherService>();
        services.AddSingleton<IReadinessCheck, KafkaReadiness>();
        services.AddSingleton<IStatusContributor, KafkaStatus>();
        return services;
    }

    /// <summary>Starts the publisher with the host; stops and flushes it with it.</summary>
    private sealed class KafkaPublisherService(KafkaPublisher publisher) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            publisher.Start();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => publisher.StopAsync(cancellationToken);
    }

    private sealed class KafkaReadiness(KafkaBootstrap bootstrap, KafkaPublisher publisher) : IReadinessCheck
    {
        public string Name => "kafka";

        public ReadinessResult Check() =>
            !publisher.IsRunning ? ReadinessResult.NotReady("publisher not running")
            : publisher.IsPaused ? ReadinessResult.NotReady($"spool full ({publisher.SpooledRecords} records): ingest paused")
            : !publisher.TopicsReady ? ReadinessResult.NotReady($"topics not verified yet: brokers at {bootstrap.BootstrapServers} unreachable")
            : ReadinessResult.Ready($"{bootstrap.BootstrapServers}; {publisher.InFlight} in flight, {publisher.SpooledRecords} spooled");
    }
}
