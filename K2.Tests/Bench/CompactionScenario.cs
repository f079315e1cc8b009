using System.Diagnostics;
using System.Globalization;
using K2.Maintenance.Compaction;
using K2.Offload.Tables;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Bench;

/// <summary>
/// <c>k2 bench compaction</c>: a day of 15-minute offloads (96 small files per partition) of silver trades in a local
/// warehouse, then one compaction to 128 MiB files; rows read back and rewritten per second, files and bytes before/after.
/// </summary>
internal sealed class CompactionScenario : IBenchScenario
{
    private const int Commits = 96;
    private const int Symbols = 4;
    private static readonly DateTime Day = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    public string Name => "compaction";

    public string Description => "Silver rows/s rewritten by bin-pack compaction of 96 small files per partition";

    public async Task<BenchReport> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        var (services, warehouse) = await BenchServices.StartWarehouseAsync(Path.Combine(arguments.DataDir, "compaction"), "k2", cancellationToken);
        await using var owner = services;
        var cold = ColdTables.Silver;
        var table = await warehouse.CreateTableAsync(cold.Identifier, cold.Schema, cold.PartitionSpec, cold.SortOrder, cancellationToken: cancellationToken);
        var perCommit = Math.Max(arguments.Records / Commits, 1);
        for (var c = 0; c < Commits; c++)
        {
            await using var appender = table.NewAppender();
            for (var i = c * perCommit; i < (c + 1) * perCommit; i++) { await appender.WriteAsync(Row(i), cancellationToken); }
            await table.AppendAsync(await appender.CompleteAsync(cancellationToken), cancellationToken: cancellationToken);
        }

        var compactor = new TableCompactor(warehouse, 128L << 20, 5, NullLogger.Instance);
        var clock = Stopwatch.StartNew();
        var result = await compactor.CompactAsync(table, cancellationToken);
        clock.Stop();
        return new BenchReport
        {
            Scenario = Name,
            Records = perCommit * Commits,
            Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
            Bytes = result.BytesBefore,
            Details = new Dictionary<string, object>
            {
                ["files_before"] = result.FilesBefore,
                ["files_after"] = result.FilesAfter,
                ["bytes_after"] = result.BytesAfter,
                ["groups"] = result.Groups,
                ["snapshot_operation"] = table.Metadata.CurrentSnapshot!.Operation,
            },
        };
    }

    private static object?[] Row(long i)
    {
        var symbol = $"SYM{i % Symbols}USDT";
        var price = 60000.25m + (i % 1000) * 0.01m;
        var quantity = 0.0001m * (1 + (i % 50));
        var at = Day.AddTicks(i * 10_000);
        return
        [
            "binance", symbol, $"SYM{i % Symbols}-USDT", i.ToString(CultureInfo.InvariantCulture), price, quantity, price * quantity,
            i % 2 == 0 ? "BUY" : "SELL", at, at, at, false, "market.crypto.trades.binance", 0L, i, true, new List<object?>(),
        ];
    }
}
