using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.Iceberg.Parquet;
using K2.Iceberg.Spec;
using K2.Offload.Tables;

namespace K2.Offload.Hot;

/// <summary>What streaming one query into data files wrote.</summary>
internal sealed record StreamedRows(long Rows, DateTime? NewestTime);

/// <summary>Reads hot rows for a cold table and streams them, batch by batch, into Parquet data files.</summary>
internal sealed class HotRows(IClickHouseGateway gateway, string database)
{
    public IClickHouseGateway Gateway => gateway;

    public string Table(ColdTable table) => $"{database}.{table.HotTable}";

    public string Table(string name) => $"{database}.{name}";

    /// <summary>
    /// <c>SELECT</c> of the cold columns (in wire form) over <paramref name="source"/>, a subquery that filters, orders and
    /// deduplicates hot rows. Output columns are named c0… so no alias shadows a hot column inside the expressions.
    /// </summary>
    public static string Select(ColdTable table, string source) =>
        $"SELECT {string.Join(", ", table.Columns.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"{c.HotExpression} AS c{i}")))} FROM ({source})";

    /// <summary>
    /// Streams <paramref name="sql"/> (RowBinary) into <paramref name="appender"/>. Rows come sorted, so a partition's rows
    /// are contiguous: its file is closed when the next partition begins, and memory holds one read buffer and one open
    /// row group whatever the backlog.
    /// </summary>
    public async Task<StreamedRows> StreamAsync(ColdTable table, string sql, DataFileAppender appender, Func<object?[], ValueTask>? each, CancellationToken cancellationToken)
    {
        var timeIndex = table.Schema.IndexOf(table.TimeColumn);
        DateTime? newest = null;
        long rows = 0;
        await using var stream = await gateway.QueryStreamAsync(sql, "RowBinary", cancellationToken).ConfigureAwait(false);
        var reader = new RowBinaryReader(stream, table.Columns);
        var spec = table.PartitionSpec;
        PartitionKey? partition = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is { } row)
        {
            if (each is not null) { await each(row).ConfigureAwait(false); }
            var key = spec.KeyOf(table.Schema, row);
            if (partition is not null && !key.Equals(partition)) { await appender.CompleteAsync(cancellationToken).ConfigureAwait(false); }
            partition = key;
            await appender.WriteAsync(row, cancellationToken).ConfigureAwait(false);
            rows++;
            if (row[timeIndex] is DateTime time && (newest is null || time > newest)) { newest = time; }
        }

        return new StreamedRows(rows, newest);
    }
}
