using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.Core.Trades;
using K2.Iceberg.Spec;
using K2.Iceberg.Tables;
using K2.Maintenance.Compaction;
using K2.Offload.Tables;

namespace K2.Bench;

/// <summary>
/// Synthetic rows of any cold table written as data files by ClickHouse's Parquet encoder (the offload's path), one file
/// per symbol: row n of <c>numbers(from, count)</c> has symbol <c>SYM{n % Symbols}USDT</c> and its time columns spread
/// evenly over [start, start + span); other values derive from n and fit every column's type.
/// </summary>
internal static class SyntheticColdFiles
{
    public const int Symbols = 4;

    public static async Task<IReadOnlyList<DataFile>> WriteAsync(IClickHouseGateway gateway, ColdTable cold, IcebergTable table, long from, long count,
        DateTime start, TimeSpan span, string scratch, CancellationToken cancellationToken)
    {
        var schema = table.Metadata.CurrentSchema;
        var startMicros = (start - DateTime.UnixEpoch).Ticks / 10;
        var stepMicros = Math.Max(1, span.Ticks / 10 / count);
        var exchange = cold.Exchange?.ToWire() ?? "binance";
        var columns = schema.Fields.Select(f =>
            $"CAST({Expression(f, exchange, from, startMicros, stepMicros)} AS {ClickHouseColumnTypes.Of(f.Type, f.Required)}) AS `{f.Name}`");
        var sql = string.Create(CultureInfo.InvariantCulture, $"SELECT {string.Join(", ", columns)} FROM numbers({from}, {count})");
        var symbols = Enumerable.Range(0, Symbols).Select(i => $"SYM{i}USDT").ToList();
        var folder = Directory.CreateDirectory(Path.Combine(scratch, $"synthetic-{Guid.NewGuid():N}")).FullName;
        try
        {
            await gateway.ExportParquetAsync(sql, "`symbol`", symbols, [], folder, DataFileParquet.Settings, cancellationToken);
            var files = new List<DataFile>();
            foreach (var symbol in symbols)
            {
                var local = Path.Combine(folder, $"{symbol}.parquet");
                if (!File.Exists(local)) { continue; }
                var key = table.Metadata.DefaultSpec.KeyOf(schema, SampleRow(schema, cold, exchange, symbol, start));
                if (await table.ImportDataFileAsync(local, key, cancellationToken) is { } file) { files.Add(file); }
            }

            return files;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Expression(NestedField field, string exchange, long from, long startMicros, long stepMicros) => field.Name switch
    {
        "exchange" => $"'{exchange}'",
        "symbol" => $"concat('SYM', toString(number % {Symbols}), 'USDT')",
        "canonical_symbol" => $"concat('SYM', toString(number % {Symbols}), '-USDT')",
        _ => field.Type switch
        {
            ListType => "if(number % 10 = 0, ['price_outlier'], [])",
            PrimitiveType { Kind: PrimitiveKind.TimestampTz } => string.Create(CultureInfo.InvariantCulture, $"fromUnixTimestamp64Micro(toInt64({startMicros} + (number - {from}) * {stepMicros}), 'UTC')"),
            PrimitiveType { Kind: PrimitiveKind.Decimal } => "toDecimal128(concat(toString(60000 + number % 1000), '.', toString(number % 9973)), 8)",
            PrimitiveType { Kind: PrimitiveKind.Boolean } => "number % 2 = 0",
            PrimitiveType { Kind: PrimitiveKind.Int } => "toInt32(number % 3)",
            PrimitiveType { Kind: PrimitiveKind.Long } => "toInt64(number)",
            PrimitiveType { Kind: PrimitiveKind.String } => field.Required ? "toString(number)" : "if(number % 3 = 0, NULL, toString(number))",
            _ => throw new NotSupportedException($"no synthetic values for column {field.Name} ({field.Type})"),
        },
    };

    private static object?[] SampleRow(Schema schema, ColdTable cold, string exchange, string symbol, DateTime start)
    {
        var row = new object?[schema.Fields.Count];
        row[schema.IndexOf(cold.TimeColumn)] = start;
        row[schema.IndexOf("exchange")] = exchange;
        row[schema.IndexOf("symbol")] = symbol;
        if (schema.Fields.Any(f => f.Name == "canonical_symbol")) { row[schema.IndexOf("canonical_symbol")] = symbol.Replace("USDT", "-USDT", StringComparison.Ordinal); }
        return row;
    }
}
