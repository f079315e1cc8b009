using K2.Iceberg.Catalog;
using K2.Iceberg.Parquet;
using K2.Iceberg.Serialization;
using K2.Iceberg.Spec;
using K2.Iceberg.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Iceberg.Tables;

/// <summary>
/// The entry point to K2's Iceberg tables: a SQL catalog plus an object store holding the warehouse.
/// Tables live at <c>&lt;warehouse&gt;/&lt;namespace&gt;/&lt;table&gt;</c>.
/// </summary>
public sealed class IcebergWarehouse(SqlCatalog catalog, IObjectStore store, WriterSettings writerSettings, TimeProvider time, ILogger<IcebergWarehouse>? logger = null)
{
    private static readonly IReadOnlyDictionary<string, string> DefaultProperties = new Dictionary<string, string>
    {
        ["write.format.default"] = "parquet",
        ["write.parquet.compression-codec"] = "zstd",
        [TableProperties.MetadataDeleteAfterCommit] = "true",

        // One writer, and readers that take the newest file: ten previous versions cover a reader that loaded one before
        // the last two hours of 15-minute commits, at a tenth of the bytes Java's default of 100 keeps.
        [TableProperties.MetadataPreviousVersionsMax] = "10",
    };

    public SqlCatalog Catalog { get; } = catalog;

    public IObjectStore Store { get; } = store;

    public WriterSettings WriterSettings { get; } = writerSettings;

    internal ILogger Logger { get; } = logger ?? NullLogger<IcebergWarehouse>.Instance;

    internal int CommitAttempts { get; init; } = 5;

    internal long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Creates the catalog tables and removes metadata files left above the committed version by a crash.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await Catalog.InitializeAsync(cancellationToken).ConfigureAwait(false);
        foreach (var table in await Catalog.ListTablesAsync(cancellationToken).ConfigureAwait(false))
        {
            await CleanUpUncommittedMetadataAsync(table, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates the table unless it exists (then it is opened as it is).</summary>
    public async Task<IcebergTable> CreateTableAsync(TableIdentifier identifier, Schema schema, PartitionSpec spec, SortOrder? sortOrder = null,
        IReadOnlyDictionary<string, string>? properties = null, CancellationToken cancellationToken = default)
    {
        var existing = await TryLoadTableAsync(identifier, cancellationToken).ConfigureAwait(false);
        if (existing is not null) { return existing; }

        await Catalog.CreateNamespaceAsync(identifier.Namespace, cancellationToken).ConfigureAwait(false);
        var location = $"{Store.WarehouseUri}/{identifier.Namespace.Replace('.', '/')}/{identifier.Name}";
        var merged = new Dictionary<string, string>(DefaultProperties);
        foreach (var (k, v) in properties ?? new Dictionary<string, string>()) { merged[k] = v; }
        var metadata = TableMetadata.Create(location, schema, spec, sortOrder ?? SortOrder.Unsorted, merged, NowMs());
        var metadataLocation = MetadataFileNames.First(location);
        await Store.PutBytesAsync(metadataLocation, TableMetadataJson.Write(metadata), cancellationToken).ConfigureAwait(false);
        if (!await Catalog.CreateAsync(identifier, metadataLocation, cancellationToken).ConfigureAwait(false))
        {
            // Another writer created it first: drop this copy and use theirs.
            await Store.DeleteAsync(metadataLocation, cancellationToken).ConfigureAwait(false);
            return await LoadTableAsync(identifier, cancellationToken).ConfigureAwait(false);
        }

        Log.Created(Logger, identifier.ToString(), location);
        return new IcebergTable(this, identifier, metadataLocation, metadata);
    }

    public async Task<IcebergTable> LoadTableAsync(TableIdentifier identifier, CancellationToken cancellationToken = default) =>
        await TryLoadTableAsync(identifier, cancellationToken).ConfigureAwait(false)
        ?? throw new KeyNotFoundException($"table {identifier} is not in catalog {Catalog.Name}");

    public async Task<IcebergTable?> TryLoadTableAsync(TableIdentifier identifier, CancellationToken cancellationToken = default)
    {
        var location = await Catalog.LoadLocationAsync(identifier, cancellationToken).ConfigureAwait(false);
        if (location is null) { return null; }
        var metadata = TableMetadataJson.Read(await Store.ReadAllAsync(location, cancellationToken).ConfigureAwait(false));
        return new IcebergTable(this, identifier, location, metadata);
    }

    public Task<IReadOnlyList<TableIdentifier>> ListTablesAsync(CancellationToken cancellationToken = default) => Catalog.ListTablesAsync(cancellationToken);

    /// <summary>
    /// Deletes <c>*.metadata.json</c> files numbered above the committed one: ClickHouse takes the highest-numbered file
    /// as current, so a file written before a crash but never committed must not stay. Assumes a single writer per table.
    /// </summary>
    public async Task<int> CleanUpUncommittedMetadataAsync(TableIdentifier identifier, CancellationToken cancellationToken = default)
    {
        var table = await LoadTableAsync(identifier, cancellationToken).ConfigureAwait(false);
        var committed = MetadataFileNames.VersionOf(table.MetadataLocation);
        var deleted = 0;
        await foreach (var file in Store.ListAsync(table.Metadata.Location + "/metadata/", cancellationToken).ConfigureAwait(false))
        {
            if (!file.Uri.EndsWith(".metadata.json", StringComparison.Ordinal) || MetadataFileNames.VersionOf(file.Uri) <= committed) { continue; }
            await Store.DeleteAsync(file.Uri, cancellationToken).ConfigureAwait(false);
            Log.UncommittedDeleted(Logger, identifier.ToString(), file.Uri);
            deleted++;
        }

        return deleted;
    }
}
