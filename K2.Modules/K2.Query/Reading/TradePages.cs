using System.Text.Json;
using K2.ClickHouse.Gateway;

namespace K2.Query.Reading;

/// <summary>
/// Where a trades page ends: <paramref name="Last"/>, the key of its <c>limit</c>-th trade or, when that trade is the last
/// of its exchange time, the boundary before the next time (<see cref="TradeKey.Before"/>); null when fewer trades remain
/// (the last page). Its trades, those of the cold tier, and the exchange time it spans from its start to its end.
/// </summary>
internal sealed record PageEnd(TradeKey? Last, long Rows, long ColdRows, long SpanMicros);

/// <summary>
/// Finds a page's end before its first byte is sent (the next cursor goes in a header, and the page is then read up to it
/// in one query sorting only its own trades). Trades are ordered by exchange time first, so the trades of a time window
/// come before those of any later window: the search reads one window after the other, each asking only for the trades
/// still missing, until it has the page or reaches the request's end. A window is as wide as the density seen so far says
/// the rest of the page needs, so an export reads each trade once or about once in the search, instead of the whole rest
/// of the range per page.
/// <para>
/// A window is read for its exchange times and tiers alone, sorted by time: when the page's last trade is the last of its
/// time, the page ends with that time, and its exchange and trade id are never read. Only when trades of that time fall on
/// both sides of the limit are the keys of that one microsecond read and sorted. The times are first read without looking
/// for trades held by both tiers (a lookup per hot trade, and most windows hold one tier only); a window whose trades turn
/// out to be of both tiers is read again with it.
/// </para>
/// </summary>
internal static class TradePages
{
    // The first window when nothing is known yet: a trade every 10 ms, a busy pair's pace; at least a second.
    private const long AssumedMicrosPerTrade = 10_000;

    private const long MinimumSpanMicros = 1_000_000;

    public static async Task<PageEnd> FindEndAsync(IClickHouseGateway gateway, string database, ColdPin pin, TradeSelection page, long previousSpanMicros,
        int timeoutSeconds, CancellationToken cancellationToken)
    {
        var limit = page.Limit ?? throw new ArgumentException("a page has a limit", nameof(page));
        var start = page.After is { } after ? Math.Max(after.ExchangeTsMicros, page.FromMicros) : page.FromMicros;
        var span = previousSpanMicros > 0 ? previousSpanMicros + (previousSpanMicros / 10) : limit * AssumedMicrosPerTrade;
        var windowStart = start;
        long rows = 0, cold = 0;
        while (true)
        {
            var windowEnd = page.ToMicros - windowStart <= span ? page.ToMicros : windowStart + Math.Max(span, MinimumSpanMicros);
            var wanted = limit - (int)rows;
            var window = page with { FromMicros = windowStart, ToMicros = windowEnd, After = windowStart == start ? page.After : null, Limit = wanted };
            var deduplicate = false;
            var times = await TimeProbeAsync(gateway, database, pin, window, deduplicate, timeoutSeconds, cancellationToken).ConfigureAwait(false);
            if (times.Cold > 0 && times.Cold < times.Rows)
            {
                deduplicate = true;
                times = await TimeProbeAsync(gateway, database, pin, window, deduplicate, timeoutSeconds, cancellationToken).ConfigureAwait(false);
            }

            if (times.Rows == wanted)
            {
                // The page's last trade is the last of its exchange time: the page ends with that time, and only times were read.
                var end = TradeKey.Before(times.LastTsMicros + 1);
                return new PageEnd(end, rows + wanted, cold + times.Cold, end.ExchangeTsMicros - start);
            }

            if (times.Rows > wanted)
            {
                // Trades of the last exchange time fall on both sides of the limit: take those still wanted in key order.
                var earlier = times.Rows - times.RowsAtLast;
                var tie = window with
                {
                    FromMicros = times.LastTsMicros,
                    ToMicros = times.LastTsMicros + 1,
                    After = window.After is { } first && first.ExchangeTsMicros == times.LastTsMicros ? first : null,
                    Limit = (int)(wanted - earlier),
                };
                using var keys = await RowAsync(gateway, parameters => TradeSql.Probe(database, pin, tie, deduplicate, parameters, timeoutSeconds), cancellationToken)
                    .ConfigureAwait(false);
                var fields = keys.RootElement;
                var last = new TradeKey(fields[2].GetInt64(), fields[3].GetString()!, fields[4].GetString()!);
                return new PageEnd(last, rows + earlier + fields[0].GetInt64(), cold + times.Cold - times.ColdAtLast + fields[1].GetInt64(), last.ExchangeTsMicros - start + 1);
            }

            rows += times.Rows;
            cold += times.Cold;
            if (windowEnd == page.ToMicros) { return new PageEnd(null, rows, cold, windowEnd - start); }

            // The rest at the density seen so far, a quarter more; sixteen times wider after an empty window.
            var seen = windowEnd - start;
            span = times.Rows == 0 ? span * 16 : (long)Math.Min((double)(limit - rows) * seen / rows * 1.25, long.MaxValue / 2);
            windowStart = windowEnd;
        }
    }

    /// <summary>A window's first trades by exchange time (<see cref="TradeSql.TimeProbe"/>).</summary>
    private sealed record TimeCounts(long Rows, long Cold, long LastTsMicros, long RowsAtLast, long ColdAtLast);

    private static async Task<TimeCounts> TimeProbeAsync(IClickHouseGateway gateway, string database, ColdPin pin, TradeSelection window, bool deduplicate,
        int timeoutSeconds, CancellationToken cancellationToken)
    {
        using var row = await RowAsync(gateway, parameters => TradeSql.TimeProbe(database, pin, window, deduplicate, parameters, timeoutSeconds), cancellationToken)
            .ConfigureAwait(false);
        var fields = row.RootElement;
        return new TimeCounts(fields[0].GetInt64(), fields[1].GetInt64(), fields[2].GetInt64(), fields[3].GetInt64(), fields[4].GetInt64());
    }

    /// <summary>The one JSONCompactEachRow row of a probe whose SQL <paramref name="sql"/> writes with its parameters.</summary>
    private static async Task<JsonDocument> RowAsync(IClickHouseGateway gateway, Func<Dictionary<string, string>, string> sql, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string>();
        var text = sql(parameters);
        return JsonDocument.Parse(await gateway.QueryTextAsync(text, parameters, "JSONCompactEachRow", cancellationToken).ConfigureAwait(false));
    }
}
