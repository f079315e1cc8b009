using System.Globalization;
using System.Text;
using K2.ClickHouse.Gateway;
using K2.Core.Trades;
using Microsoft.Extensions.Logging;

namespace K2.ClickHouse.Schema;

/// <summary>What one apply did.</summary>
public sealed record SchemaApplyResult(string ServerVersion, IReadOnlyList<Migration> Applied, IReadOnlyList<Migration> Changed, IReadOnlyList<Exchange> ConsumersCreated);

/// <summary>
/// Creates and migrates every hot-tier object: versioned migrations recorded in <c>schema_migrations</c>
/// (each applied once), then the Kafka consumers reconciled with the configuration.
/// </summary>
public sealed class HotTierSchema(IClickHouseGateway gateway, HotTierSettings settings, ILogger<HotTierSchema> logger)
{
    /// <summary>ClickHouse's NAMED_COLLECTION_DOESNT_EXIST.</summary>
    private const int NamedCollectionDoesNotExist = 669;

    public HotTierSettings Settings => settings;

    /// <summary>The full DDL, in apply order, as <c>k2 ddl --print</c> shows it.</summary>
    public string Script()
    {
        var script = new StringBuilder();
        script.Append(CultureInfo.InvariantCulture, $"-- K2 hot tier: database {settings.Database}{(settings.Cluster.Length == 0 ? "" : $" on cluster {settings.Cluster}")}\n");
        foreach (var statement in Bootstrap()) { script.Append(statement).Append(";\n\n"); }
        foreach (var migration in HotTierMigrations.All(settings))
        {
            script.Append(CultureInfo.InvariantCulture, $"-- migration {migration.Version}: {migration.Name} (checksum {migration.Checksum})\n");
            foreach (var statement in migration.Statements) { script.Append(statement).Append(";\n\n"); }
        }

        foreach (var exchange in ExchangeNames.All)
        {
            script.Append(CultureInfo.InvariantCulture, $"-- Kafka consumer {exchange.ToWire()}: re-created whenever its definition changes\n");
            foreach (var statement in KafkaConsumerDdl.Create(settings, exchange)) { script.Append(statement).Append(";\n\n"); }
        }

        return script.ToString();
    }

    /// <summary>Checks the server version, applies pending migrations and reconciles the consumers.</summary>
    public async Task<SchemaApplyResult> ApplyAsync(string? serverVersionOverride = null, CancellationToken cancellationToken = default)
    {
        var version = serverVersionOverride ?? await gateway.ServerVersionAsync(cancellationToken).ConfigureAwait(false);
        ServerVersion.EnsureSupported(version);
        foreach (var statement in Bootstrap()) { await gateway.ExecuteAsync(statement, cancellationToken: cancellationToken).ConfigureAwait(false); }

        var recorded = await RecordedAsync(cancellationToken).ConfigureAwait(false);
        var applied = new List<Migration>();
        var changed = new List<Migration>();
        foreach (var migration in HotTierMigrations.All(settings))
        {
            if (recorded.TryGetValue(migration.Version, out var checksum))
            {
                if (checksum != migration.Checksum)
                {
                    changed.Add(migration);
                    Log.MigrationChanged(logger, migration.Version, migration.Name, checksum, migration.Checksum);
                }

                continue;
            }

            foreach (var statement in migration.Statements) { await gateway.ExecuteAsync(statement, cancellationToken: cancellationToken).ConfigureAwait(false); }
            await gateway.ExecuteAsync(
                $"INSERT INTO {settings.Table(HotTierMigrations.MigrationsTable)} (version, name, checksum, applied_at) VALUES ({{version:UInt32}}, {{name:String}}, {{checksum:String}}, now64(3, 'UTC'))",
                new Dictionary<string, string>
                {
                    ["version"] = migration.Version.ToString(CultureInfo.InvariantCulture),
                    ["name"] = migration.Name,
                    ["checksum"] = migration.Checksum,
                },
                cancellationToken).ConfigureAwait(false);
            applied.Add(migration);
            Log.MigrationApplied(logger, migration.Version, migration.Name, settings.Database);
        }

        var consumers = await ReconcileConsumersAsync(cancellationToken).ConfigureAwait(false);
        return new SchemaApplyResult(version, applied, changed, consumers);
    }

    private IEnumerable<string> Bootstrap() =>
    [
        $"CREATE DATABASE IF NOT EXISTS {settings.Database}{settings.OnCluster}",
        HotTierMigrations.MigrationsTableDdl(settings),
    ];

    /// <summary>Attaches the queue tables a candle rebuild detached (<see cref="Operations.CandleRepair"/>) when a kill cut it.</summary>
    private async Task AttachDetachedQueuesAsync(CancellationToken cancellationToken)
    {
        var queues = ExchangeNames.All.Select(KafkaConsumerDdl.QueueTable).ToHashSet();
        var detached = await gateway.QueryRowsAsync(
            "SELECT table FROM system.detached_tables WHERE database = {db:String}",
            new Dictionary<string, string> { ["db"] = settings.Database }, cancellationToken).ConfigureAwait(false);
        foreach (var queue in detached.Select(r => r[0]).Where(queues.Contains))
        {
            await gateway.ExecuteAsync($"ATTACH TABLE {settings.Table(queue)}{settings.OnCluster}", cancellationToken: cancellationToken).ConfigureAwait(false);
            Log.QueueAttached(logger, queue);
        }
    }

    private async Task<Dictionary<int, string>> RecordedAsync(CancellationToken cancellationToken)
    {
        var rows = await gateway.QueryRowsAsync(
            $"SELECT version, argMax(checksum, applied_at) FROM {settings.Table(HotTierMigrations.MigrationsTable)} GROUP BY version",
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => int.Parse(r[0], CultureInfo.InvariantCulture), r => r[1]);
    }

    private async Task<IReadOnlyList<Exchange>> ReconcileConsumersAsync(CancellationToken cancellationToken)
    {
        await AttachDetachedQueuesAsync(cancellationToken).ConfigureAwait(false);
        var rows = await gateway.QueryRowsAsync(
            "SELECT name, comment FROM system.tables WHERE database = {db:String} AND engine = 'Kafka'",
            new Dictionary<string, string> { ["db"] = settings.Database },
            cancellationToken).ConfigureAwait(false);
        var markers = rows.ToDictionary(r => r[0], r => r.Length > 1 ? r[1] : "");
        var created = new List<Exchange>();
        foreach (var exchange in ExchangeNames.All)
        {
            var offsetBases = settings.KafkaOffsetsRestart
                ? await KafkaOffsetBases.AdvanceAsync(gateway, settings, exchange, cancellationToken).ConfigureAwait(false)
                : null;
            var expected = KafkaConsumerDdl.Marker(settings, exchange, offsetBases);
            if (markers.TryGetValue(KafkaConsumerDdl.QueueTable(exchange), out var marker) && marker == expected) { continue; }
            foreach (var statement in KafkaConsumerDdl.Create(settings, exchange, offsetBases))
            {
                try
                {
                    await gateway.ExecuteAsync(statement, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (ClickHouseGatewayException ex) when (ex.Code == NamedCollectionDoesNotExist)
                {
                    throw new ClickHouseGatewayException(ex.Code,
                        $"the ClickHouse server has no named collection '{settings.KafkaNamedCollection}' for the Kafka engine's security settings: define it in the server's configuration (docs/clickhouse.md, Kafka security), or name another in Modules:ClickHouse:Kafka:NamedCollection",
                        ex);
                }
            }

            created.Add(exchange);
            Log.ConsumerCreated(logger, exchange.ToWire(), settings.Topic(exchange), settings.ConsumerGroup(exchange));
        }

        return created;
    }
}
