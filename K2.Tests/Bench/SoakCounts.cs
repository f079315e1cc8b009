using System.Text.Json.Serialization;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Daemon.Replay;
using K2.Offload.Tables;

namespace K2.Bench;

/// <summary>
/// What the soak generated against what landed: unique trades per stage (none lost) and rows per unique trade in the
/// cold tier (none doubled; the hot tier may hold redelivered copies until ClickHouse merges them).
/// </summary>
internal sealed record SoakCounts(
    long Generated,
    IReadOnlyDictionary<string, SoakCounts.ExchangeCounts> Exchanges,
    SoakCounts.Stage Silver,
    long Lost,
    long Doubled)
{
    public sealed record ExchangeCounts(
        [property: JsonPropertyName("symbols")] int Symbols,
        [property: JsonPropertyName("generated")] long Generated,
        [property: JsonPropertyName("published")] long Published,
        [property: JsonPropertyName("duplicates_dropped")] long Duplicates,
        [property: JsonPropertyName("rejects")] long Rejects,
        [property: JsonPropertyName("gaps_open")] int GapsOpen,
        [property: JsonPropertyName("bronze")] Stage Bronze);

    /// <param name="HotUnique">Distinct trades in the hot table.</param>
    /// <param name="ColdUnique">Distinct trades in the Iceberg table.</param>
    public sealed record Stage(
        [property: JsonPropertyName("hot_rows")] long HotRows,
        [property: JsonPropertyName("hot_unique")] long HotUnique,
        [property: JsonPropertyName("cold_rows")] long ColdRows,
        [property: JsonPropertyName("cold_unique")] long ColdUnique);

    public static async Task<SoakCounts> MeasureAsync(EmbeddedPipeline pipeline, IReadOnlyList<SoakFeed> feeds, CancellationToken cancellationToken)
    {
        var exchanges = new Dictionary<string, ExchangeCounts>();
        long lost = 0, doubled = 0;
        foreach (var feed in feeds)
        {
            var table = ColdTables.Find(HotTierMigrations.BronzeTable(feed.Exchange))!;
            var bronze = await StageAsync(pipeline, table, "symbol, trade_id", cancellationToken);
            exchanges[feed.Exchange.ToWire()] = new ExchangeCounts(feed.Symbols, feed.Generated, feed.Published, feed.Duplicates, feed.Rejected, feed.GapsOpen, bronze);
            lost += Missing(feed.Generated, feed.Published, bronze.HotUnique, bronze.ColdUnique);
            doubled += bronze.ColdRows - bronze.ColdUnique;
        }

        var generated = feeds.Sum(f => f.Generated);
        var silver = await StageAsync(pipeline, ColdTables.Silver, "exchange, symbol, trade_id", cancellationToken);
        lost += Missing(generated, silver.HotUnique, silver.ColdUnique);
        doubled += silver.ColdRows - silver.ColdUnique;
        return new SoakCounts(generated, exchanges, silver, lost, doubled);
    }

    /// <summary>Trades short at the worst stage; a stage holding more distinct trades than generated counts too.</summary>
    private static long Missing(long generated, params long[] stages) => stages.Max(s => Math.Abs(generated - s));

    private static async Task<Stage> StageAsync(EmbeddedPipeline pipeline, ColdTable table, string key, CancellationToken cancellationToken)
    {
        var hot = $"{pipeline.Database}.{table.HotTable}";
        return new Stage(
            await pipeline.CountAsync($"SELECT count() FROM {hot}", cancellationToken),
            await pipeline.CountAsync($"SELECT uniqExact({key}) FROM {hot}", cancellationToken),
            pipeline.ColdScalar(table, "count()"),
            pipeline.ColdScalar(table, $"uniqExact({key})"));
    }
}
