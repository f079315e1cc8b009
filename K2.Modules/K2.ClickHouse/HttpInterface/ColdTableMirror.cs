using K2.ClickHouse.Embedded;
using K2.Iceberg.Catalog;
using K2.Iceberg.Tables;
using Microsoft.Extensions.Logging;

namespace K2.ClickHouse.HttpInterface;

/// <summary>
/// Offers the cold tier's Iceberg tables as tables of the engine (<c>cold.silver_trades</c> …, ClickHouse's IcebergLocal
/// engine), created and re-created as the catalog changes. A client of the read-only interface cannot call the
/// <c>icebergLocal(…)</c> table function itself: ClickHouse refuses table functions that read files in readonly mode, even
/// behind a view, while a table of the IcebergLocal engine is read like any other. Only a local warehouse can be mirrored
/// (the engine reads files under its working directory, the data folder).
/// </summary>
internal sealed class ColdTableMirror(IcebergWarehouse warehouse, string database, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, (string MetadataPath, int SchemaId)> _mirrored = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTimeOffset _nextCheck = DateTimeOffset.MinValue;
    private bool _databaseCreated;

    public string Database => database;

    /// <summary>The statements that bring the mirror up to the catalog, read at most every 10 s; run them with <see cref="Apply"/>.</summary>
    public async Task<IReadOnlyList<MirrorChange>> PendingAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() < _nextCheck || !warehouse.Store.WarehouseUri.StartsWith("file:", StringComparison.Ordinal)) { return []; }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _nextCheck = time.GetUtcNow() + CheckEvery;
            var changes = new List<MirrorChange>();
            foreach (var identifier in await warehouse.ListTablesAsync(cancellationToken).ConfigureAwait(false))
            {
                if (identifier.Namespace != database || !System.Text.RegularExpressions.Regex.IsMatch(identifier.Name, Schema.SqlIdentifier.Pattern)) { continue; }
                var table = await warehouse.TryLoadTableAsync(identifier, cancellationToken).ConfigureAwait(false);
                if (table is null) { continue; }
                var path = new Uri(table.Metadata.Location).LocalPath;
                var schemaId = table.Metadata.CurrentSchemaId;
                lock (_mirrored)
                {
                    if (_mirrored.TryGetValue(identifier.Name, out var known) && known == (path, schemaId)) { continue; }
                }

                changes.Add(new MirrorChange(identifier, path, schemaId));
            }

            return changes;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Creates or re-creates the tables on the held connection; a table that fails is logged and left for the next check.</summary>
    public void Apply(ChDbEngine.ChDbLease lease, IReadOnlyList<MirrorChange> changes)
    {
        if (changes.Count == 0) { return; }
        if (!_databaseCreated)
        {
            lease.Query($"CREATE DATABASE IF NOT EXISTS `{database}`");
            _databaseCreated = true;
        }

        foreach (var change in changes)
        {
            try
            {
                lease.Query($"CREATE OR REPLACE TABLE `{database}`.`{change.Table.Name}` ENGINE = IcebergLocal('{change.Path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}')");
                lock (_mirrored) { _mirrored[change.Table.Name] = (change.Path, change.SchemaId); }
                Log.ColdTableMirrored(logger, change.Table.ToString(), $"{database}.{change.Table.Name}");
            }
            catch (ChDbException ex)
            {
                Log.ColdTableNotMirrored(logger, change.Table.ToString(), ex.Message);
            }
        }
    }
}

internal sealed record MirrorChange(TableIdentifier Table, string Path, int SchemaId);
