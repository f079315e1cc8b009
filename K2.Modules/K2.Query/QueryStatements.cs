using K2.Core.Trades;
using K2.Offload.Tables;
using K2.Query.Api;
using K2.Query.Reading;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Query;

/// <summary>
/// The SQL the API runs, for measuring the API against the engine alone (<c>k2 bench query</c>): the same statement and
/// parameters, without HTTP, pinning or response writing.
/// </summary>
public static class QueryStatements
{
    /// <summary>
    /// A candles request of <paramref name="interval"/> on one exchange and canonical symbol, windows starting in
    /// [<paramref name="fromMicros"/>, <paramref name="toMicros"/>), read from the hot tier only, as JSONEachRow.
    /// </summary>
    public static (string Sql, IReadOnlyDictionary<string, string> Parameters) HotCandles(string database, Exchange exchange, string canonical, string interval,
        long fromMicros, long toMicros, long nowMicros, int timeoutSeconds = 60)
    {
        var requested = RequestedInterval.Parse(interval);
        var selection = new CandleSelection(new ResolvedSymbol(canonical, [exchange]), requested, requested.WindowStart(fromMicros), toMicros, nowMicros);
        var parameters = new Dictionary<string, string>();
        var sql = CandleSql.Select(database, ColdPin.None, selection, CandleSql.Projection(text: true), parameters, timeoutSeconds)
            + string.Concat(OutputFormat.Json.Settings.Select(s => $", {s.Key} = {s.Value}"));
        return (sql, parameters);
    }

    /// <summary>
    /// All trades of one exchange and canonical symbol in [<paramref name="fromMicros"/>, <paramref name="toMicros"/>) over
    /// both tiers, exactly once and in order, as one statement in <paramref name="format"/> (<c>parquet</c>, <c>arrow</c>,
    /// …): what <c>/v1/trades</c> serves page by page, read by the engine in one go. The cold tier is pinned as a request
    /// pins it.
    /// </summary>
    public static async Task<(string Sql, string ClickHouseFormat, IReadOnlyDictionary<string, string> Parameters)> TradesAsync(IServiceProvider services, Exchange exchange,
        string canonical, long fromMicros, long toMicros, string format, CancellationToken cancellationToken = default)
    {
        var context = services.GetRequiredService<QueryContext>();
        var output = OutputFormat.Choose(format, null) ?? throw new ArgumentException($"'{format}' is not a format; allowed: {OutputFormat.Allowed}", nameof(format));
        var pin = await context.Pins.PinAsync(ColdTables.Silver, null, cancellationToken).ConfigureAwait(false);
        var parameters = new Dictionary<string, string>();
        var selection = new TradeSelection(new ResolvedSymbol(canonical, [exchange]), fromMicros, toMicros);
        var sql = TradeSql.Select(context.Database, pin, selection, TradeSql.Projection(output.IsText), parameters, context.Options.QueryTimeoutSeconds)
            + TradesEndpoint.Settings(output);
        return (sql, output.ClickHouseFormat, parameters);
    }
}
