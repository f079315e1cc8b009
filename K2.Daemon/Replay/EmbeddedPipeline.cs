using System.Globalization;
using K2.ClickHouse.Embedded;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Hosting;
using K2.Core.Trades;
using K2.Offload;
using K2.Offload.Runs;
using K2.Offload.Tables;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Daemon.Replay;

/// <summary>
/// The daemon host with every part embedded in one folder — Kafka cluster, chDB hot tier, SQLite catalog and the
/// warehouse at <c>DIR/warehouse</c> — and no exchange connections: frames are fed by the caller through the
/// trade sink (<see cref="ITradeSink"/> in <see cref="Services"/>), and the offload runs when the caller says. Used by
/// <c>k2 replay</c>, and public for the soak benchmark, which runs the whole pipeline the same way.
/// </summary>
public sealed class EmbeddedPipeline : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dataDir;

    private EmbeddedPipeline(WebApplication app, string dataDir)
    {
        _app = app;
        _dataDir = dataDir;
        Gateway = app.Services.GetRequiredService<IClickHouseGateway>();
        Database = app.Services.GetRequiredService<HotTierSettings>().Database;
    }

    /// <summary>The host's services: every module's public services and seams.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The hot tier's gateway.</summary>
    public IClickHouseGateway Gateway { get; }

    /// <summary>The hot tier's ClickHouse database.</summary>
    public string Database { get; }

    /// <summary>The local Iceberg warehouse, <c>DIR/warehouse</c>.</summary>
    public string Warehouse => Path.Combine(_dataDir, "warehouse");

    /// <summary>Starts the pipeline in <paramref name="dataDir"/> (created when missing), which becomes the working directory.</summary>
    /// <param name="settings">Overrides on top of the embedded ones, e.g. the offload's ingestion margin.</param>
    /// <exception cref="ReplayException">The configuration is invalid.</exception>
    public static async Task<EmbeddedPipeline> StartAsync(string dataDir, IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataDir);
        var overrides = Overrides(dataDir);
        foreach (var (key, value) in settings) { overrides[key] = value; }
        var app = DaemonHost.Create(overrides, out var problems, offload: JobHosting.OnDemand, logToStandardError: true)
            ?? throw new ReplayException("invalid configuration: " + string.Join("; ", problems));
        try
        {
            DaemonHost.EnterWorkingDirectory(app);
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new EmbeddedPipeline(app, dataDir);
    }

    /// <summary>Unique trades (symbol, trade id) in one exchange's bronze table.</summary>
    public async Task<long> UniqueBronzeTradesAsync(Exchange exchange, CancellationToken cancellationToken) =>
        await CountAsync($"SELECT uniqExact(symbol, trade_id) FROM {Database}.{HotTierMigrations.BronzeTable(exchange)}", cancellationToken);

    /// <summary>
    /// Waits until each exchange's bronze table holds at least the expected unique trades: they have then been
    /// published, consumed from Kafka and, by the materialized views, written to silver and the candles.
    /// </summary>
    /// <exception cref="ReplayException">Not within <paramref name="timeout"/>.</exception>
    public async Task WaitUntilConsumedAsync(IReadOnlyDictionary<Exchange, long> expected, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        foreach (var (exchange, count) in expected)
        {
            while (true)
            {
                var consumed = await UniqueBronzeTradesAsync(exchange, cancellationToken);
                if (consumed >= count) { break; }
                if (DateTime.UtcNow > deadline)
                {
                    throw new ReplayException($"ClickHouse consumed {consumed} of {count} {exchange.ToWire()} trades within {timeout.TotalSeconds:F0} s");
                }

                await Task.Delay(200, cancellationToken);
            }
        }

        // Silver and the candles are filled by materialized views in the same insert as bronze.
    }

    /// <summary>One offload run of all ten tables.</summary>
    /// <exception cref="ReplayException">A table failed; the message names each with its error.</exception>
    public async Task<IReadOnlyList<OffloadResult>> OffloadAsync(CancellationToken cancellationToken)
    {
        var offloads = await Services.GetRequiredService<IOffloadOnDemand>().RunAsync(cancellationToken: cancellationToken);
        var failed = offloads.Where(o => o.Error is not null).ToArray();
        if (failed.Length > 0)
        {
            throw new ReplayException("offload failed: " + string.Join("; ", failed.Select(f => $"{f.Table}: {f.Error}")));
        }

        return offloads;
    }

    /// <summary>Where a cold table's Iceberg files are, readable by chDB's <c>icebergLocal</c>.</summary>
    public string ColdLocation(ColdTable table) => Path.Combine(Warehouse, ColdTables.Namespace, table.Name);

    /// <summary>A scalar count from the cold table through <c>icebergLocal</c>; 0 while the table has no files.</summary>
    public long ColdScalar(ColdTable table, string expression)
    {
        var location = ColdLocation(table);
        return Directory.Exists(location)
            ? long.Parse(Services.GetRequiredService<ChDbEngine>().QueryText($"SELECT {expression} FROM icebergLocal('{location}')").Trim(), CultureInfo.InvariantCulture)
            : 0;
    }

    /// <summary>A scalar count from the hot tier.</summary>
    public async Task<long> CountAsync(string sql, CancellationToken cancellationToken) =>
        long.Parse((await Gateway.QueryTextAsync(sql, cancellationToken: cancellationToken)).Trim(), CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private static Dictionary<string, string?> Overrides(string dataDir) => new()
    {
        ["Storage:DataDir"] = dataDir,
        ["Observability:Listen"] = $"127.0.0.1:{FreePort()}",
        ["Modules:Query:Listen"] = $"127.0.0.1:{FreePort()}",
        ["Modules:Exchanges:Enabled"] = "false",
        ["Modules:Offload:Enabled"] = "false",
        ["Modules:Maintenance:Enabled"] = "false",
        ["Modules:Catalog:Enabled"] = "false",
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

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
