using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Core.Http;

/// <summary>
/// An HTTP server of its own for one module (the Iceberg REST catalog, the ClickHouse HTTP interface): its paths,
/// authentication and limits then answer on its port only, never beside /metrics on the observability listener.
/// Handlers are mapped by the module and reach the daemon's services through their closures.
/// </summary>
public sealed class ModuleListener(string name, IPEndPoint endpoint, Action<WebApplication> map, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The module that owns the listener, e.g. <c>catalog</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The bound address (<c>http://127.0.0.1:8181</c>) once started; a configured port 0 shows the port chosen.</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = $"k2-{Name}" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endpoint);
        });
        builder.Services.AddRoutingCore();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new DaemonLogs(loggerFactory));

        // The request lines of the hosting diagnostics carry query strings, which may hold credentials.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        var app = builder.Build();
        map(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        Address = new Uri(app.Urls.First());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) { await _app.StopAsync(cancellationToken).ConfigureAwait(false); }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) { await _app.DisposeAsync().ConfigureAwait(false); }
        _app = null;
    }

    /// <summary>The listener's log events go to the daemon's loggers (its filters and format).</summary>
    private sealed class DaemonLogs(ILoggerFactory daemon) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => daemon.CreateLogger(categoryName);

        public void Dispose() { }
    }
}
