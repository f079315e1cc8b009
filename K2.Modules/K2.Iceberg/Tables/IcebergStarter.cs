using K2.Core.Health;
using Microsoft.Extensions.Hosting;

namespace K2.Iceberg.Tables;

/// <summary>
/// Prepares the catalog when the daemon starts and removes metadata files an interrupted commit left above the committed
/// version, before any job writes; /readyz reports the warehouse once that is done.
/// </summary>
internal sealed class IcebergStarter(IcebergWarehouse warehouse) : IHostedService, IReadinessCheck
{
    private volatile bool _started;

    public string Name => "iceberg";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await warehouse.StartAsync(cancellationToken).ConfigureAwait(false);
        _started = true;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ReadinessResult Check() => _started
        ? ReadinessResult.Ready($"catalog {warehouse.Catalog.Name} ({warehouse.Catalog.Database}), warehouse {warehouse.Store.WarehouseUri}")
        : ReadinessResult.NotReady("catalog not prepared yet");
}
