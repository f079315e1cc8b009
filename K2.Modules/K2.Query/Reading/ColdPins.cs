using K2.Iceberg.Tables;
using K2.Offload.Tables;

namespace K2.Query.Reading;

/// <summary>
/// Pins cold tables for requests. The catalog pointer is read on every pin (one small catalog query); the metadata file
/// only when the pointer moved, so a request costs no metadata parsing while no offload commits.
/// </summary>
internal sealed class ColdPins(IcebergWarehouse warehouse, ColdSourceSql sources)
{
    private readonly Dictionary<string, IcebergTable> _loaded = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>
    /// The table's current snapshot, or <paramref name="snapshotId"/> when a cursor carries one and the table still has it
    /// (a cursor stays on the snapshot its first page read; once maintenance expired it, the current one serves equally).
    /// </summary>
    public async Task<ColdPin> PinAsync(ColdTable table, long? snapshotId, CancellationToken cancellationToken)
    {
        var iceberg = await LoadAsync(table, cancellationToken).ConfigureAwait(false);
        if (iceberg?.Metadata.CurrentSnapshotId is not { } current) { return ColdPin.None; }
        var metadata = iceberg.Metadata;
        var pinned = snapshotId is { } wanted && metadata.Snapshots.Any(s => s.SnapshotId == wanted) ? wanted : current;
        return new ColdPin(sources.For(metadata.Location), pinned, ColdPin.WatermarkAt(metadata, pinned));
    }

    private async Task<IcebergTable?> LoadAsync(ColdTable table, CancellationToken cancellationToken)
    {
        var location = await warehouse.Catalog.LoadLocationAsync(table.Identifier, cancellationToken).ConfigureAwait(false);
        if (location is null) { return null; }
        lock (_gate)
        {
            if (_loaded.TryGetValue(table.Name, out var cached) && cached.MetadataLocation == location) { return cached; }
        }

        var loaded = await warehouse.TryLoadTableAsync(table.Identifier, cancellationToken).ConfigureAwait(false);
        if (loaded is null) { return null; }
        lock (_gate) { _loaded[table.Name] = loaded; }
        return loaded;
    }
}
