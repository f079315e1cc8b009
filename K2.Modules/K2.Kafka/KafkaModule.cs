using K2.Core.Configuration;
using K2.Core.Health;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace K2.Kafka;

public static class KafkaModule
{
    /// <summary>Kafka connectivity (embedded mock cluster or external brokers). <c>Modules:Kafka:Enabled</c>.</summary>
    public static IServiceCollection AddKafka(this IServiceCollection services, IConfiguration configuration)
    {
        var options = services.AddValidatedOptions<KafkaOptions>(configuration, KafkaOptions.SectionName);
        if (!options.Enabled) { return services; }

        services.AddSingleton<KafkaBootstrap>();
        services.AddHostedService<KafkaBootstrapStarter>();
        services.AddSingleton<IReadinessCheck, KafkaBootstrapStarter.Readiness>();
        return services;
    }

    /// <summary>Starts the embedded cluster (if any) with the host, so clients find it at once.</summary>
    private sealed class KafkaBootstrapStarter(KafkaBootstrap bootstrap) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = bootstrap.BootstrapServers;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        internal sealed class Readiness(KafkaBootstrap bootstrap) : IReadinessCheck
        {
            public string Name => "kafka";

            public ReadinessResult Check() => ReadinessResult.Ready(bootstrap.BootstrapServers);
        }
    }
}
