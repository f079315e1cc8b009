using K2.Iceberg.Catalog;
using K2.Iceberg.Tables;

namespace K2.Catalog;

/// <summary>A table as the catalog serves it: the committed metadata file's location and its content.</summary>
internal sealed record LoadedTable(string MetadataLocation, byte[] MetadataJson);

/// <summary>
/// Reads K2's SQL catalog the way the REST catalog presents it. Namespaces are stored with their levels joined by '.'
/// (as Java's JdbcCatalog stores them) and served as arrays of levels; a namespace exists when it is stored or when a
/// stored one lies beneath it.
/// </summary>
internal sealed class CatalogReader(IcebergWarehouse warehouse)
{
    public string CatalogName => warehouse.Catalog.Name;

    public string WarehouseUri => warehouse.Store.WarehouseUri;

    /// <summary>Every namespace with all its ancestors, as arrays of levels, sorted.</summary>
    public async Task<IReadOnlyList<string[]>> AllNamespacesAsync(CancellationToken cancellationToken)
    {
        var all = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var stored in await warehouse.Catalog.ListNamespacesAsync(cancellationToken).ConfigureAwait(false))
        {
            var levels = stored.Split('.');
            for (var depth = 1; depth <= levels.Length; depth++) { all.Add(string.Join('.', levels[..depth])); }
        }

        return [.. all.Select(n => n.Split('.'))];
    }

    /// <summary>The namespaces one level below <paramref name="parent"/> (top-level ones for an empty parent).</summary>
    public async Task<IReadOnlyList<string[]>> ChildNamespacesAsync(string[] parent, CancellationToken cancellationToken) =>
        [.. (await AllNamespacesAsync(cancellationToken).ConfigureAwait(false))
            .Where(n => n.Length == parent.Length + 1 && n.AsSpan(0, parent.Length).SequenceEqual(parent))];

    public async Task<bool> NamespaceExistsAsync(string[] ns, CancellationToken cancellationToken) =>
        (await AllNamespacesAsync(cancellationToken).ConfigureAwait(false)).Any(n => n.SequenceEqual(ns));

    /// <summary>Stored properties of a namespace, without the JDBC catalog's placeholder, plus its location.</summary>
    public async Task<IReadOnlyDictionary<string, string>> NamespacePropertiesAsync(string[] ns, CancellationToken cancellationToken)
    {
        var stored = await warehouse.Catalog.LoadNamespacePropertiesAsync(Stored(ns), cancellationToken).ConfigureAwait(false);
        var properties = stored.Where(p => p.Key != "exists").ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        properties.TryAdd("location", $"{WarehouseUri}/{string.Join('/', ns)}");
        return properties;
    }

    /// <summary>Table names of one namespace, sorted.</summary>
    public async Task<IReadOnlyList<string>> TablesAsync(string[] ns, CancellationToken cancellationToken)
    {
        var stored = Stored(ns);
        return [.. (await warehouse.Catalog.ListTablesAsync(cancellationToken).ConfigureAwait(false))
            .Where(t => t.Namespace == stored)
            .Select(t => t.Name)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The committed metadata of a table, or null when the catalog has no such table.</summary>
    public async Task<LoadedTable?> LoadTableAsync(string[] ns, string name, CancellationToken cancellationToken)
    {
        var location = await warehouse.Catalog.LoadLocationAsync(new TableIdentifier(Stored(ns), name), cancellationToken).ConfigureAwait(false);
        if (location is null) { return null; }
        return new LoadedTable(location, await warehouse.Store.ReadAllAsync(location, cancellationToken).ConfigureAwait(false));
    }

    public async Task<bool> TableExistsAsync(string[] ns, string name, CancellationToken cancellationToken) =>
        await warehouse.Catalog.LoadLocationAsync(new TableIdentifier(Stored(ns), name), cancellationToken).ConfigureAwait(false) is not null;

    private static string Stored(string[] ns) => string.Join('.', ns);
}
