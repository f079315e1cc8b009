using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.Iceberg.Parquet;
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

    /// <summary>Streams <paramref name="sql"/> (RowBinary) into <paramref name="appender"/>; memory holds one buffer and the open row groups.</summary>
    public async Task<StreamedRows> StreamAsync(ColdTable table, string sql, DataFileAppender appender, Func<object?[], ValueTask>? each, CancellationToken cancellationToken)
    {
        var timeIndex = table.Schema.IndexOf(table.TimeColumn);
        DateTime? newest = null;
        long rows = 0;
        await using var stream = await gateway.QueryStreamAsync(sql, "RowBinary", cancellationToken).ConfigureAwait(false);
        var reader = new RowBinaryReader(stream, table.Columns);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is { } row)
        {
            if (each is not null) { await each(row).ConfigureAwait(false); }
            await appender.WriteAsync(row, cancellationToken).ConfigureAwait(false);
            rows++;
            if (row[timeIndex] is DateTime time && (newest is null || time > newest)) { newest = time; }
        }

        return new StreamedRows(rows, newest);
    }
}
