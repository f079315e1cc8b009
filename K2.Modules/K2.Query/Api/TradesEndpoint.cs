using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using K2.Offload.Tables;
using K2.Query.Reading;
using Microsoft.AspNetCore.Http;

namespace K2.Query.Api;

/// <summary>
/// <c>GET /v1/trades</c>: one symbol's trades in (exchange time, exchange, trade id) order, a page at a time. The page's
/// last key is found first (<see cref="TradePages"/>, reading key columns only), so NDJSON, CSV, Parquet and Arrow can
/// carry the next cursor in the <c>K2-Next-Cursor</c> header before their first byte; the rows up to it are then streamed
/// in ClickHouse's own output format straight to the response. JSON pages carry <c>next_cursor</c> in the body.
/// </summary>
internal static class TradesEndpoint
{
    public const string NextCursorHeader = "K2-Next-Cursor";

    private static readonly string[] Known = ["exchange", "symbol", "from", "to", "limit", "cursor", "format"];

    public static async Task HandleAsync(HttpContext http, QueryContext context, string? exchange, string? symbol, string? from, string? to, string? limit,
        string? cursor, string? format)
    {
        RequestParameters.OnlyKnown(http.Request, Known);
        var output = RequestParameters.Format(format, http.Request);
        var venue = SymbolResolver.ParseExchange(exchange);
        var resolved = context.Symbols.Resolve(symbol, venue);
        var (fromMicros, toMicros) = RequestParameters.Range(from, to, context.NowMicros, 3_600_000_000);
        if (toMicros - fromMicros > context.Options.MaxTradeRangeDays * 86_400_000_000L)
        {
            throw new BadParameterException("to", $"the range {TimeParameter.Iso(fromMicros)} – {TimeParameter.Iso(toMicros)} is too wide; at most {context.Options.MaxTradeRangeDays} days (Modules:Query:MaxTradeRangeDays), page through a wider span with several requests");
        }

        var pageRows = RequestParameters.Limit(limit, context.Options);
        var query = TradeCursor.QueryOf(resolved.Canonical, string.Join(",", resolved.Exchanges), fromMicros, toMicros);
        var after = string.IsNullOrEmpty(cursor) ? null : TradeCursor.Decode(cursor, query);
        var pin = await context.Pins.PinAsync(ColdTables.Silver, after?.SnapshotId, http.RequestAborted).ConfigureAwait(false);
        var selection = new TradeSelection(resolved, fromMicros, toMicros, after?.Key, Limit: pageRows);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(context.Options.QueryTimeoutSeconds));
        var end = await TradePages.FindEndAsync(context.Gateway, context.Database, pin, selection, after?.PageSpanMicros ?? 0, context.Options.QueryTimeoutSeconds, timeout.Token)
            .ConfigureAwait(false);

        // A full page ends at its last key; rows arriving meanwhile up to it are sent too, so the next page starts exactly after it.
        // The pinned snapshot cannot gain rows, so a page whose keys held none of it needs only the hot tier.
        var page = selection with { UpTo = end.Last, Limit = null, ReadsCold = end.ColdRows > 0 };
        var next = end.Last is { } last ? new TradeCursor(query, pin.SnapshotId, last.ExchangeTsMicros, last.Exchange, last.TradeId, end.SpanMicros).Encode() : null;
        TierCounts served;
        if (output == OutputFormat.Json)
        {
            served = await WriteJsonPageAsync(http, context, pin, page, next, timeout.Token).ConfigureAwait(false);
        }
        else
        {
            if (next is not null) { http.Response.Headers[NextCursorHeader] = next; }
            await WritePageAsync(http, context, pin, page, output, timeout.Token).ConfigureAwait(false);
            served = new TierCounts { Cold = end.ColdRows, Hot = end.Rows - end.ColdRows };
        }

        QueryMetrics.Rows.WithLabels("trades", "hot").Inc(served.Hot);
        QueryMetrics.Rows.WithLabels("trades", "cold").Inc(served.Cold);
    }

    private static async Task<TierCounts> WriteJsonPageAsync(HttpContext http, QueryContext context, ColdPin pin, TradeSelection page, string? next, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string>();
        var sql = TradeSql.Select(context.Database, pin, page, TradeSql.Projection(text: true), parameters, context.Options.QueryTimeoutSeconds) + Settings(OutputFormat.Json);
        await using var rows = await context.Gateway.QueryStreamAsync(sql, OutputFormat.Json.ClickHouseFormat, parameters, cancellationToken).ConfigureAwait(false);
        http.Response.ContentType = OutputFormat.Json.MediaType;
        var body = http.Response.BodyWriter;
        body.Write("{\"data\":[\n"u8);
        var lines = new ResultLines(rows, body, jsonArray: true);
        await lines.CopyAsync(cancellationToken).ConfigureAwait(false);
        body.Write(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"\n],\"count\":{lines.Tiers.Total},\"next_cursor\":{(next is null ? "null" : JsonSerializer.Serialize(next))}}}\n")));
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
        return lines.Tiers;
    }

    /// <summary>NDJSON, CSV, Parquet or Arrow as ClickHouse writes it, copied to the response as it comes.</summary>
    private static async Task WritePageAsync(HttpContext http, QueryContext context, ColdPin pin, TradeSelection page, OutputFormat output, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string>();
        var sql = TradeSql.Select(context.Database, pin, page, TradeSql.Projection(output.IsText), parameters, context.Options.QueryTimeoutSeconds) + Settings(output);
        await using var rows = await context.Gateway.QueryStreamAsync(sql, output.ClickHouseFormat, parameters, cancellationToken).ConfigureAwait(false);
        http.Response.ContentType = output.MediaType;
        if (output == OutputFormat.Csv) { await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(TradeSql.CsvHeader), cancellationToken).ConfigureAwait(false); }
        await rows.CopyToAsync(http.Response.Body, 64 * 1024, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Output-format settings, appended to the query's SETTINGS clause.</summary>
    public static string Settings(OutputFormat output) =>
        string.Concat(output.Settings.Select(s => $", {s.Key} = {s.Value}"));
}
