using System.Globalization;
using K2.ClickHouse.Embedded;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Exchanges;
using K2.Exchanges.Pipeline;
using K2.Instruments;
using K2.Kafka.Publishing;
using K2.Offload;
using K2.Offload.Runs;
using K2.Offload.Tables;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K2.Daemon.Replay;

/// <summary>
/// <c>k2 replay</c>: the embedded pipeline in one folder — captures through the live ingestion path
/// into the embedded Kafka cluster, ClickHouse's Kafka engine into the hot tier, then the offload of
/// all ten tables with every window treated as closed — and a summary of what landed where.
/// </summary>
internal sealed class ReplayRunner(IReadOnlyList<ReplayInput> inputs, string dataDir, double? speed, TimeSpan consumeTimeout)
{
    public async Task<ReplaySummary> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataDir);
        var app = DaemonHost.Create(Overrides(), out var problems, (services, configuration) => OffloadModule.AddRunner(services, configuration), logToStandardError: true)
            ?? throw new ReplayException("invalid configuration: " + string.Join("; ", problems));
        await using var _ = app;
        await app.StartAsync(cancellationToken);
        try
        {
            var services = app.Services;
            var replayer = new CaptureReplayer(
                services.GetRequiredService<ITradeSink>(), services.GetRequiredService<IDeadLetterSink>(), TimeProvider.System,
                services.GetRequiredService<ILoggerFactory>().CreateLogger("K2.Replay"));
            var instruments = services.GetRequiredService<IInstrumentRegistry>().Current;
            var options = services.GetRequiredService<ExchangesOptions>();
            var fed = await Task.WhenAll(inputs.Select(i => replayer.ReplayAsync(i.Exchange, i.Path, instruments, options, speed, cancellationToken)));

            await WaitUntilPublishedAsync(services.GetRequiredService<KafkaPublisher>(), cancellationToken);
            var gateway = services.GetRequiredService<IClickHouseGateway>();
            var database = services.GetRequiredService<HotTierSettings>().Database;
            await WaitUntilConsumedAsync(gateway, database, fed, cancellationToken);

            var offloads = await services.GetRequiredService<OffloadRunner>().RunAsync(cancellationToken: cancellationToken);
            var failed = offloads.Where(o => o.Error is not null).ToArray();
            if (failed.Length > 0)
            {
                throw new ReplayException("offload failed: " + string.Join("; ", failed.Select(f => $"{f.Table}: {f.Error}")));
            }

            var tables = await CountTablesAsync(gateway, services.GetRequiredService<ChDbEngine>(), database, cancellationToken);
            return new ReplaySummary(dataDir, Path.Combine(dataDir, "warehouse"), fed.Select(ReplaySummary.Feed.From).ToArray(), tables);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    private Dictionary<string, string?> Overrides() => new()
    {
        ["Storage:DataDir"] = dataDir,
        ["Observability:Listen"] = $"127.0.0.1:{FreePort()}",
        ["Modules:Exchanges:Enabled"] = "false",
        ["Modules:Offload:Enabled"] = "false",
        ["Modules:Maintenance:Enabled"] = "false",
        ["Modules:Kafka:Enabled"] = "true",
        ["Modules:Kafka:Mode"] = "Embedded",
        ["Modules:ClickHouse:Enabled"] = "true",
        ["Modules:ClickHouse:Mode"] = "Embedded",
        ["Modules:ClickHouse:Embedded:DataPath"] = "",
        ["Modules:Offload:CandleLatenessSeconds"] = "0",
        ["Modules:Offload:IngestionMarginSeconds"] = "0",
        ["Iceberg:Catalog"] = "Sqlite",
        ["Iceberg:SqlitePath"] = "",
        ["Iceberg:Warehouse"] = "",
    };

    private static async Task WaitUntilPublishedAsync(KafkaPublisher publisher, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!publisher.IsDrained)
        {
            if (DateTime.UtcNow > deadline) { throw new ReplayException("the Kafka publisher did not drain within 2 minutes"); }
            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task WaitUntilConsumedAsync(IClickHouseGateway gateway, string database, IReadOnlyList<CaptureReplayer.Result> fed, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + consumeTimeout;
        foreach (var exchange in fed.GroupBy(f => f.Exchange))
        {
            var expected = exchange.Sum(f => f.Trades);
            var table = $"{database}.bronze_trades_{exchange.Key.ToWire()}";
            while (true)
            {
                var text = await gateway.QueryTextAsync($"SELECT uniqExact(symbol, trade_id) FROM {table}", cancellationToken: cancellationToken);
                var consumed = long.Parse(text.Trim(), CultureInfo.InvariantCulture);
                if (consumed >= expected) { break; }
                if (DateTime.UtcNow > deadline)
                {
                    throw new ReplayException($"ClickHouse consumed {consumed} of {expected} {exchange.Key.ToWire()} trades within {consumeTimeout.TotalSeconds:F0} s");
                }

                await Task.Delay(200, cancellationToken);
            }
        }

        // Silver and the candles are filled by materialized views in the same insert as bronze.
    }

    private async Task<IReadOnlyList<ReplaySummary.Table>> CountTablesAsync(IClickHouseGateway gateway, ChDbEngine engine, string database, CancellationToken cancellationToken)
    {
        var tables = new List<ReplaySummary.Table>();
        foreach (var cold in ColdTables.All)
        {
            var hot = long.Parse((await gateway.QueryTextAsync($"SELECT count() FROM {database}.{cold.HotTable}", cancellationToken: cancellationToken)).Trim(), CultureInfo.InvariantCulture);
            var location = Path.Combine(dataDir, "warehouse", ColdTables.Namespace, cold.Name);
            var coldRows = Directory.Exists(location)
                ? long.Parse(engine.QueryText($"SELECT count() FROM icebergLocal('{location}')").Trim(), CultureInfo.InvariantCulture)
                : 0;
            tables.Add(new ReplaySummary.Table($"{ColdTables.Namespace}.{cold.Name}", $"{database}.{cold.HotTable}", hot, coldRows, location));
        }

        return tables;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal sealed class ReplayException(string message) : Exception(message);
