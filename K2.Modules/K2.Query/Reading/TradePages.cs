using System.Text.Json;
using K2.ClickHouse.Gateway;

namespace K2.Query.Reading;

/// <summary>
/// Where a trades page ends: <paramref name="Last"/>, the key of its <c>limit</c>-th trade, or null when fewer trades remain
/// (the last page); its trades, those of the cold tier, and the exchange time it spans from its start to its last trade.
/// </summary>
internal sealed record PageEnd(TradeKey? Last, long Rows, long ColdRows, long SpanMicros);

/// <summary>
/// Finds a page's end before its first byte is sent (the next cursor goes in a header, and the page is then read up to it
/// in one query sorting only its own trades). Trades are ordered by exchange time first, so the trades of a time window
/// come before those of any later window: the search reads the key columns of one window after the other, each asking
/// only for the trades still missing, until it has the page or reaches the request's end. A window is as wide as the
/// density seen so far says the rest of the page needs, so an export reads each trade's key once or about once,
/// instead of the keys of the whole rest of the range per page. A window's keys are first read without looking for trades
/// held by both tiers (a lookup per hot trade, and most windows hold one tier only); a window whose keys turn out to be of
/// both tiers is read again with it.
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
            using var result = await ProbeAsync(gateway, database, pin, window, deduplicate: false, timeoutSeconds, cancellationToken).ConfigureAwait(false);
            var fields = result.RootElement;
            var windowCold = fields[1].GetInt64();
            if (windowCold > 0 && windowCold < fields[0].GetInt64())
            {
                using var exact = await ProbeAsync(gateway, database, pin, window, deduplicate: true, timeoutSeconds, cancellationToken).ConfigureAwait(false);
                fields = exact.RootElement.Clone();
            }

            var found = fields[0].GetInt64();
            rows += found;
            cold += fields[1].GetInt64();
            if (found == wanted)
            {
                var last = new TradeKey(fields[2].GetInt64(), fields[3].GetString()!, fields[4].GetString()!);
                return new PageEnd(last, rows, cold, last.ExchangeTsMicros - start + 1);
            }

            if (windowEnd == page.ToMicros) { return new PageEnd(null, rows, cold, windowEnd - start); }

            // The rest at the density seen so far, a quarter more; sixteen times wider after an empty window.
            var seen = windowEnd - start;
            span = found == 0 ? span * 16 : (long)Math.Min((double)(limit - rows) * seen / rows * 1.25, long.MaxValue / 2);
            windowStart = windowEnd;
        }
    }

    private static async Task<JsonDocument> ProbeAsync(IClickHouseGateway gateway, string database, ColdPin pin, TradeSelection window, bool deduplicate, int timeoutSeconds,
        CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string>();
        var probe = await gateway.QueryTextAsync(TradeSql.Probe(database, pin, window, deduplicate, parameters, timeoutSeconds), parameters, "JSONCompactEachRow",
            cancellationToken).ConfigureAwait(false);
        return JsonDocument.Parse(probe);
    }
}
