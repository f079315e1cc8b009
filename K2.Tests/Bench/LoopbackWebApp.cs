using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K2.Bench;

/// <summary>A Kestrel app with WebSockets on a free 127.0.0.1 port: the local exchanges of the chaos bench and of the tests.</summary>
public static class LoopbackWebApp
{
    /// <summary>Starts the app after <paramref name="configure"/> added its middleware and routes; returns it with its base URL.</summary>
    public static async Task<(WebApplication App, Uri BaseUrl)> StartAsync(Action<WebApplication> configure)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.UseWebSockets();
        configure(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }
}
