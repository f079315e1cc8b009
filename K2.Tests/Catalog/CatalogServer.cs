using K2.Catalog;
using K2.Core.Configuration;
using K2.Core.Http;
using K2.Iceberg.Tables;
using K2.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Tests.Catalog;

/// <summary>The catalog module in a host of its own over a test warehouse, on a free loopback port, its log kept.</summary>
internal sealed class CatalogServer : IAsyncDisposable
{
    private readonly IHost _host;

    private CatalogServer(IHost host, CollectingLogger log)
    {
        _host = host;
        Log = log;
        BaseAddress = host.Services.GetRequiredKeyedService<ModuleListener>(CatalogModule.ListenerKey).Address!;
    }

    public Uri BaseAddress { get; }

    /// <summary>The REST endpoint as clients are given it: <c>http://127.0.0.1:port/v1</c>.</summary>
    public string RestUri => new Uri(BaseAddress, "v1").ToString();

    public CollectingLogger Log { get; }

    /// <summary>What the catalog was asked and answered, for a failure message.</summary>
    public string RequestLog => string.Join('\n', Log.Lines.Where(l => l.Contains(" 1000", StringComparison.Ordinal)));

    public HttpClient Client() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<CatalogServer> StartAsync(IcebergWarehouse warehouse, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var configuration = new Dictionary<string, string?> { ["Modules:Catalog:Listen"] = "127.0.0.1:0" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) { configuration[key] = value; }
        builder.Configuration.AddInMemoryCollection(configuration);
        var log = new CollectingLogger();
        builder.Logging.AddProvider(log).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton(warehouse);
        builder.Services.AddCatalog(builder.Configuration);
        builder.Services.GetConfigurationProblems().All.Should().BeEmpty();
        var host = builder.Build();
        await host.StartAsync();
        return new CatalogServer(host, log);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
