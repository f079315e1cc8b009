using K2.Iceberg;
using K2.ClickHouse.Operations;
using K2.Iceberg.Tables;
using K2.Offload.Hot;
using K2.Offload.Tables;
using K2.Offload.Watermarks;
using Microsoft.Extensions.Logging;

namespace K2.Offload.Runs;

/// <summary>What every table's offload uses.</summary>
internal sealed record OffloadContext(
    HotRows Hot,
    IcebergWarehouse Warehouse,
    WatermarkStore Watermarks,
    OffloadOptions Options,
    TimeProvider Time,
    ILogger Logger)
{
    public OffloadFaults Faults { get; init; } = new();

    /// <summary>Rebuilds hot candles a redelivered Kafka block inflated, before the candle tables are offloaded.</summary>
    public CandleRepair? Candles { get; init; }

    public Quarantine Quarantine => new(Hot, Logger);

    /// <summary>How ClickHouse reads the warehouse's data files (the candle rewrite reads the files it replaces).</summary>
    public ColdSourceSql ColdSource { get; init; } = new(new S3StorageOptions());

    /// <summary>The cold table (created on first use) and the watermark its committed snapshots carry.</summary>
    public async Task<(IcebergTable Table, OffloadStart Start)> OpenAsync(ColdTable table, CancellationToken cancellationToken)
    {
        var iceberg = await Warehouse.CreateTableAsync(table.Identifier, table.Schema, table.PartitionSpec, table.SortOrder, cancellationToken: cancellationToken).ConfigureAwait(false);
        await iceberg.RefreshAsync(cancellationToken).ConfigureAwait(false);
        if (await iceberg.PromoteColumnsAsync(table.Schema, cancellationToken).ConfigureAwait(false))
        {
            Log.SchemaPromoted(Logger, table.Name, iceberg.Metadata.CurrentSchemaId);
        }

        if (await iceberg.SetDefaultPartitionSpecAsync(table.PartitionSpec.Fields, cancellationToken).ConfigureAwait(false))
        {
            var spec = iceberg.Metadata.DefaultSpec;
            Log.PartitionSpecEvolved(Logger, table.Name, spec.SpecId, string.Join(", ", spec.Fields.Select(f => $"{f.Name} = {f.Transform}")));
        }

        var committed = Watermark.Committed(iceberg.Metadata);
        var recorded = await Watermarks.ReadWatermarkAsync(table.Name, cancellationToken).ConfigureAwait(false);
        var behind = committed.Positions.Where(p => recorded.Of(p.Key, long.MinValue) < p.Value).ToDictionary();
        if (behind.Count > 0)
        {
            // The snapshot is the truth: the rows it holds were committed with this watermark.
            Log.WatermarkRepaired(Logger, table.Name, recorded.ToJson(), committed.ToJson());
            await Watermarks.RepairAsync(table.Name, new Watermark(behind), Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }

        return (iceberg, new OffloadStart(committed, recorded.Max(committed)));
    }
}

/// <param name="Committed">The watermark in the table's snapshots when the run began (the commit precondition).</param>
/// <param name="From">Where this run starts reading: the further of the snapshot and the watermark table.</param>
internal sealed record OffloadStart(Watermark Committed, Watermark From);
