using K2.Core.Configuration;
using K2.Core.Health;
using K2.Core.Trades;
using K2.Kafka.Fallback;
using K2.Kafka.Publishing;
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
    /// topics, spool. <c>Modules:Kafka:Enabled</c>; when disabled, the sinks write local JSONL files.
    /// </summary>
    public static IServiceCollection AddKafka(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<KafkaOptions>(configuration, KafkaOptions.SectionName);
        if (!options.Enabled)
        {
            var folder = K2Paths.UnderDataDir(configuration, options.FallbackDir, "kafka-fallback");
            services.AddSingleton(sp => new FileSinks(folder, sp.GetRequiredService<ILogger<FileSinks>>()));
            services.AddSingleton<ITradeSink>(sp => sp.GetRequiredService<FileSinks>());
            services.AddSingleton<IDeadLetterSink>(sp => sp.GetRequiredService<FileSinks>());
            return services;
        }

        var spoolFolder = K2Paths.UnderDataDir(configuration, options.Spool.Path, "spool");
        services.TryAddSingleton<KafkaBootstrap>();
        services.AddSingleton(sp => new KafkaPublisher(
            options,
            sp.GetRequiredService<KafkaBootstrap>(),
            spoolFolder,
            sp.GetRequiredService<ILogger<KafkaPublisher>>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton<ITradeSink>(sp => sp.GetRequiredService<KafkaPublisher>());
        services.AddSingleton<IDeadLetterSink>(sp => sp.GetRequiredService<KafkaPublisher>());
        services.AddHostedService<KafkaPublisherService>();
        services.AddSingleton<IReadinessCheck, KafkaReadiness>();
        return services;
    }

    /// <summary>Starts the embedded cluster (if any) and the publisher with the host; stops and flushes the publisher with it.</summary>
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
