using K2.Core.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.ClickHouse.HttpInterface;

/// <summary>Starts the HTTP interface's listener with the host and says where it listens.</summary>
internal sealed class HttpInterfaceStarter(ModuleListener listener, ClickHouseHttpInterfaceOptions options, string database, ILogger<HttpInterfaceStarter> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await listener.StartAsync(cancellationToken).ConfigureAwait(false);
        var password = string.IsNullOrEmpty(Environment.GetEnvironmentVariable(options.PasswordVariable))
            ? $"no password ({options.PasswordVariable} is empty)"
            : $"password from {options.PasswordVariable}";
        Log.HttpInterfaceListening(logger, listener.Address!, options.Username, database, password);
    }

    public Task StopAsync(CancellationToken cancellationToken) => listener.StopAsync(cancellationToken);
}
