using System.Net;
using System.Net.Sockets;
using K2.Core.Trades;
using K2.Iceberg;
using K2.Iceberg.Tables;
using K2.Instruments;
using K2.Query;
using K2.Query.Api;
using K2.Query.Live;
using K2.Query.Reading;
using K2.Query.Server;
using K2.Tests.ClickHouse;
using K2.Tests.Offload;
using Microsoft.Extensions.Logging.Abstractions;
using K2.Kafka;

namespace K2.Tests.Query;

/// <summary>
/// The query API's server on a free loopback port over a hot tier, a cold warehouse and the offload between them (all
/// real parts: chDB, the Iceberg warehouse on disk, the Kafka mock cluster for the live stream).
/// </summary>
internal sealed class QueryApi : IAsyncDisposable
{
    private QueryApi(OffloadRig rig, QueryTrades trades, QueryServer server, LiveTradeHub hub, QueryOptions options)
    {
        Rig = rig;
        Trades = trades;
        Server = server;
        Hub = hub;
        Options = options;
        Http = new HttpClient { BaseAddress = new Uri($"http://{options.Listen}"), Timeout = TimeSpan.FromMinutes(3) };
    }

    public OffloadRig Rig { get; }

    public QueryTrades Trades { get; }

    public QueryServer Server { get; }

    public LiveTradeHub Hub { get; }

    public QueryOptions Options { get; }

    public HttpClient Http { get; }

    public static InstrumentSet Instruments { get; } = new(
        from exchange in ExchangeNames.All
        from canonical in QueryTrades.Canonicals
        select new Instrument(exchange, QueryTrades.Native(exchange, canonical), canonical.Split('/')[0], canonical.Split('/')[1]));

    public static async Task<QueryApi> StartAsync(Action<QueryOptions>? configure = null, OffloadRig? rig = null)
    {
        rig ??= await OffloadRig.StartAsync();
        var options = new QueryOptions { Listen = $"127.0.0.1:{FreePort()}" };
        configure?.Invoke(options);
        var registry = new InstrumentRegistry(Instruments, "instruments.yaml", NullLogger<InstrumentRegistry>.Instance);
        var pins = new ColdPins(rig.Warehouse, new ColdSourceSql(new S3StorageOptions()));
        var database = rig.Hot.Settings.Database;
        var context = new QueryContext(HotTier.Gateway, database, pins, new SymbolResolver(registry), new InstrumentRanges(HotTier.Gateway, database, pins, TimeProvider.System),
            options, TimeProvider.System, NullLogger.Instance);
        var hub = new LiveTradeHub(new KafkaConnection(new KafkaOptions(), Support.EmbeddedKafka.BootstrapServers), rig.Hot.Settings, NullLogger.Instance);
        var server = new QueryServer(options, context, registry, hub, new DaemonState(null, []), NullLoggerFactory.Instance);
        await server.StartAsync(CancellationToken.None);
        return new QueryApi(rig, new QueryTrades(rig.Hot), server, hub, options);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.StopAsync(CancellationToken.None);
        await Server.DisposeAsync();
        await Hub.DisposeAsync();
        await Rig.DisposeAsync();
    }
}
