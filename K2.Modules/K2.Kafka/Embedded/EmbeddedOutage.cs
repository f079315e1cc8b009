using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Kafka.Embedded;

/// <summary>The outage <see cref="KafkaEmbeddedOutageOptions"/> schedules: every broker down, then up again.</summary>
internal sealed class EmbeddedOutage(KafkaOptions options, KafkaBootstrap bootstrap, TimeProvider time, ILogger<EmbeddedOutage> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cluster = bootstrap.Embedded ?? throw new InvalidOperationException("A scheduled outage needs the embedded cluster");
        var outage = options.EmbeddedOutage;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(outage.AfterSeconds), time, stoppingToken);
            cluster.SetAllBrokersDown();
            Log.OutageStarted(logger, cluster.BrokerCount, outage.Seconds);
            KafkaMetrics.EmbeddedOutage.Set(1);
            await Task.Delay(TimeSpan.FromSeconds(outage.Seconds), time, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            if (KafkaMetrics.EmbeddedOutage.Value > 0)
            {
                cluster.SetAllBrokersUp();
                KafkaMetrics.EmbeddedOutage.Set(0);
                Log.OutageEnded(logger, cluster.BrokerCount);
            }
        }
    }
}
