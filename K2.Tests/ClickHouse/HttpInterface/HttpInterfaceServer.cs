using K2.ClickHouse.HttpInterface;
using K2.Core.Http;
using K2.Iceberg.Tables;
using K2.Tests.Support;
using Microsoft.Extensions.Logging;

namespace K2.Tests.ClickHouse.HttpInterface;

/// <summary>The HTTP interface over the test process's embedded engine, on a free loopback port, with a password.</summary>
internal sealed class HttpInterfaceServer : IAsyncDisposable
{
    public const string User = "reader";
    public const string Password = "reader-pw-3b71";

    private readonly ModuleListener _listener;
    private readonly ILoggerFactory _loggers;

    private HttpInterfaceServer(ModuleListener listener, ILoggerFactory loggers, CollectingLogger log)
    {
        _listener = listener;
        _loggers = loggers;
        Log = log;
    }

    public Uri Address => _listener.Address!;

    public CollectingLogger Log { get; }

    public static async Task<HttpInterfaceServer> StartAsync(string database, IcebergWarehouse? warehouse = null, Action<ClickHouseHttpInterfaceOptions>? configure = null)
    {
        var passwordVariable = $"K2_TEST_CLICKHOUSE_HTTP_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(passwordVariable, Password);
        var options = new ClickHouseHttpInterfaceOptions { Enabled = true, Listen = "127.0.0.1:0", Username = User, PasswordVariable = passwordVariable };
        configure?.Invoke(options);
        var log = new CollectingLogger();
        var loggers = LoggerFactory.Create(logging => logging.AddProvider(log).SetMinimumLevel(LogLevel.Debug));
        var mirror = warehouse is null ? null : new ColdTableMirror(warehouse, options.ColdDatabase, TimeProvider.System, loggers.CreateLogger<ColdTableMirror>());
        var api = new ClickHouseHttpInterface(EmbeddedClickHouse.Engine, options, database, mirror, loggers.CreateLogger<ClickHouseHttpInterface>());
        ListenAddress.TryParse(options.Listen, out var endpoint);
        var listener = new ModuleListener("clickhouse-http", endpoint, api.Map, loggers);
        await listener.StartAsync(CancellationToken.None);
        return new HttpInterfaceServer(listener, loggers, log);
    }

    /// <summary>A client that logs in with the right password (basic auth), unless told otherwise.</summary>
    public HttpClient Client(string? password = Password)
    {
        var client = new HttpClient(new HttpClientHandler { AutomaticDecompression = System.Net.DecompressionMethods.None }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (password is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{User}:{password}")));
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.StopAsync(CancellationToken.None);
        await _listener.DisposeAsync();
        _loggers.Dispose();
    }
}
