using K2.ClickHouse.Gateway;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.ClickHouse.Health;

/// <summary>Publishes consumer health and table row counts every <c>HealthPollSeconds</c>.</summary>
internal sealed class HotTierHealthPoller(
    ConsumerHealth consumerHealth, HotTierHealth health, ClickHouseOptions options, TimeProvider clock, ILogger<HotTierHealthPoller> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.HealthPollSeconds), clock);
        do
        {
            if (health.SchemaProblem is not null) { continue; }
            try
            {
                await consumerHealth.PublishAsync(clock, stoppingToken).ConfigureAwait(false);
                health.Polled(null);
            }
            catch (Exception ex) when (ex is ClickHouseGatewayException or Confluent.Kafka.KafkaException)
            {
                Log.HealthPollFailed(logger, ex);
                health.Polled($"health poll failed: {ex.Message}");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
