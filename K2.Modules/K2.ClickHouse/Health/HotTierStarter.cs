using K2.ClickHouse.Gateway;
using K2.ClickHouse.Operations;
using K2.ClickHouse.Schema;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.ClickHouse.Health;

/// <summary>
/// Opens ClickHouse while the host starts, so a missing library or unreachable server fails the start
/// with its fix; refuses a server older than the hot tier's floor or lacking a feature an enabled module
/// registered (<see cref="ServerFeature"/>); then applies pending migrations (<c>ApplyMigrationsAtStart</c>) and, with the
/// embedded broker, brings to silver what a kill left in bronze only (<see cref="SilverCatchUp"/>).
/// </summary>
internal sealed class HotTierStarter(
    IClickHouseGateway gateway, HotTierSchema schema, SilverCatchUp silverCatchUp, ConsumerHealth consumers, HotTierHealth health, ClickHouseOptions options,
    IEnumerable<ServerFeature> features, ILogger<HotTierStarter> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var version = await gateway.ServerVersionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ServerVersion.EnsureSupported(version);
            await ServerCapabilities.EnsureAsync(gateway, version, [.. features], cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!options.ApplyMigrationsAtStart)
            {
                health.SchemaApplied($"{gateway.Kind} ClickHouse {version}; migrations are applied with k2 ddl --apply");
                return;
            }

            var result = await schema.ApplyAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            Log.SchemaReady(logger, result.ServerVersion, result.Applied.Count, result.ConsumersCreated.Count);
            if (schema.Settings.KafkaOffsetsRestart)
            {
                foreach (var (exchange, trades) in await silverCatchUp.RunAsync(cancellationToken).ConfigureAwait(false)) { Log.SilverCaughtUp(logger, trades, exchange); }
            }

            if (result.ConsumersCreated.Count > 0) { await WaitForConsumersAsync(cancellationToken).ConfigureAwait(false); }
            health.SchemaApplied($"{gateway.Kind} ClickHouse {result.ServerVersion}, database {schema.Settings.Database}");
        }
        catch (Exception ex) when (ex is ClickHouseGatewayException or UnsupportedServerVersionException)
        {
            health.SchemaFailed(ex.Message);
            throw;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A new consumer group starts at the end of its topic, so the ingestors (started after this module)
    /// wait until the consumers have joined: otherwise the first trades of a fresh deployment are skipped.
    /// </summary>
    private async Task WaitForConsumersAsync(CancellationToken cancellationToken)
    {
        try
        {
            await consumers.WaitForAssignmentsAsync(ConsumerJoinTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            Log.ConsumersNotJoined(logger, ex.Message);
        }
    }

    private static readonly TimeSpan ConsumerJoinTimeout = TimeSpan.FromSeconds(30);
}
