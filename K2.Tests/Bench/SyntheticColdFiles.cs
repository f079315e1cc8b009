using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.Core.Trades;
using K2.Iceberg.Spec;
using K2.Iceberg.Tables;
using K2.Offload.Tables;

namespace K2.Bench;

/// <summary>
/// Synthetic rows of any cold table written as data files by ClickHouse's Parquet encoder (the offload's path), one file
/// per commit and symbol: row n of <c>numbers(from, perCommit × commits)</c> belongs to commit c = (n − from) / perCommit,
/// has symbol <c>SYM{n % Symbols}USDT</c> and its time columns spread evenly over commit c's slot
/// [start + c × span, start + (c + 1) × span); other values derive from n and fit every column's type. All commits are
/// written by one query, so that preparing a simulated day costs one ClickHouse query per table rather than one per commit.
/// </summary>
internal static class SyntheticColdFiles
{
    public const int Symbols = 4;

    /// <summary>The data files of <paramref name="commits"/> commits of <paramref name="perCommit"/> rows each, imported into <paramref name="table"/>'s location, not committed.</summary>
    public static async Task<IReadOnlyList<IReadOnlyList<DataFile>>> WriteCommitsAsync(IClickHouseGateway gateway, ColdTable cold, IcebergTable table, long from, long perCommit,
        int commits, DateTime start, TimeSpan span, string scratch, CancellationToken cancellationToken)
    {
        var schema = table.Metadata.CurrentSchema;
        var slot = new Slots(from, perCommit, (start - DateTime.UnixEpoch).Ticks / 10, span.Ticks / 10);
        var exchange = cold.Exchange?.ToWire() ?? "binance";
        var columns = schema.Fields.Select(f =>
            $"CAST({Expression(f, exchange, slot)} AS {ClickHouseColumnTypes.Of(f.Type, f.Required)}) AS `{f.Name}`");
        var sql = string.Create(CultureInfo.InvariantCulture, $"SELECT {string.Join(", ", columns)} FROM numbers({from}, {perCommit * commits})");
        var symbols = Enumerable.Range(0, Symbols).Select(i => $"SYM{i}USDT").ToList();
        var names = Enumerable.Range(0, commits).SelectMany(c => symbols.Select(s => (Commit: c, Symbol: s, Name: $"{c}_{s}"))).ToList();
        var partExpression = string.Create(CultureInfo.InvariantCulture,
            $"concat(toString(intDiv(toUnixTimestamp64Micro(`{cold.TimeColumn}`) - {slot.StartMicros}, {slot.SpanMicros})), '_', `symbol`)");
        var folder = Directory.CreateDirectory(Path.Combine(scratch, $"synthetic-{Guid.NewGuid():N}")).FullName;
        try
        {
            await gateway.ExportParquetAsync(sql, partExpression, [.. names.Select(n => n.Name)], [], folder, DataFileParquet.Settings, cancellationToken);
            var files = Enumerable.Range(0, commits).Select(_ => new List<DataFile>()).ToList();
            foreach (var (commit, symbol, name) in names)
            {
                var local = Path.Combine(folder, $"{name}.parquet");
                if (!File.Exists(local)) { continue; }
                var key = table.Metadata.DefaultSpec.KeyOf(schema, SampleRow(schema, cold, exchange, symbol, start + (span * commit)));
                if (await table.ImportDataFileAsync(local, key, cancellationToken) is { } file) { files[commit].Add(file); }
            }

            return files;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Row n's commit is (n − From) / PerCommit; its rows are spread evenly over the commit's slot of SpanMicros.</summary>
    private sealed record Slots(long From, long PerCommit, long StartMicros, long SpanMicros)
    {
        public string TimeMicros => string.Create(CultureInfo.InvariantCulture,
            $"{StartMicros} + intDiv(number - {From}, {PerCommit}) * {SpanMicros} + ((number - {From}) % {PerCommit}) * {Math.Max(1, SpanMicros / PerCommit)}");
    }

    private static string Expression(NestedField field, string exchange, Slots slot) => field.Name switch
    {
        "exchange" => $"'{exchange}'",
        "symbol" => $"concat('SYM', toString(number % {Symbols}), 'USDT')",
        "canonical_symbol" => $"concat('SYM', toString(number % {Symbols}), '-USDT')",
        _ => field.Type switch
        {
            ListType => "if(number % 10 = 0, ['price_outlier'], [])",
            PrimitiveType { Kind: PrimitiveKind.TimestampTz } => $"fromUnixTimestamp64Micro(toInt64({slot.TimeMicros}), 'UTC')",
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
