using K2.Core.Trades;
using K2.Query.Reading;

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
}
