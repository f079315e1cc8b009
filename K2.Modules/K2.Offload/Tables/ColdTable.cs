using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Iceberg.Catalog;
using K2.Iceberg.Spec;

namespace K2.Offload.Tables;

public enum ColdLayer { Bronze, Silver, Gold }

/// <summary>
/// One cold Iceberg table and how it is fed: its hot source, the columns (every hot column), the layout and the keys.
/// </summary>
/// <param name="Name">Table name in namespace <see cref="ColdTables.Namespace"/>, also the watermark key.</param>
/// <param name="HotTable">Source table (or view, for candles) in the hot database.</param>
/// <param name="TimeColumn">The event-time column the table is partitioned and pruned on.</param>
/// <param name="SelectionKey">
/// Columns that order rows by ingestion: bronze and silver by Kafka (partition, offset) within their topic; gold by window.
/// </param>
/// <param name="AuditKey">Columns identifying one row; a cold table never holds two rows with the same key.</param>
/// <param name="Interval">The candle interval of a gold table.</param>
public sealed record ColdTable(
    string Name,
    ColdLayer Layer,
    string HotTable,
    IReadOnlyList<ColdColumn> Columns,
    string TimeColumn,
    IReadOnlyList<string> SelectionKey,
    IReadOnlyList<string> AuditKey,
    IReadOnlyList<string> SortColumns,
    Func<Schema, PartitionSpec> Partitioning,
    Exchange? Exchange = null,
    CandleInterval? Interval = null)
{
    public TableIdentifier Identifier => new(ColdTables.Namespace, Name);

    public Schema Schema { get; } = BuildSchema(Columns);

    public PartitionSpec PartitionSpec => Partitioning(Schema);

    public SortOrder SortOrder => new(1, [.. SortColumns.Select(c => new SortField(FieldId(c), Transform.Identity))]);

    public int FieldId(string column) => Schema.Fields[Schema.IndexOf(column)].Id;

    public IReadOnlyList<string> ColumnNames => [.. Columns.Select(c => c.Name)];

    private static Schema BuildSchema(IReadOnlyList<ColdColumn> columns)
    {
        var next = columns.Count;
        var fields = columns.Select((c, i) => c.ToField(i + 1, () => ++next)).ToList();
        return new Schema(0, fields).Validate();
    }
}
