using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using K2.Offload.Tables;
using K2.Query.Reading;
using Microsoft.AspNetCore.Http;

namespace K2.Query.Api;

/// <summary>
/// <c>GET /v1/trades</c>: one symbol's trades in (exchange time, exchange, trade id) order, a page at a time. JSON pages
/// carry <c>next_cursor</c> in the body; other formats in the <c>K2-Next-Cursor</c> header, which needs the page's last
/// key before the first byte: a probe reading only the key columns finds it, and the rows are then read up to it.
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
        var selection = new TradeSelection(resolved, fromMicros, toMicros, after is null ? null : new TradeKey(after.ExchangeTsMicros, after.Exchange, after.TradeId), Limit: pageRows);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(context.Options.QueryTimeoutSeconds));
        TierCounts served;
        if (output == OutputFormat.Json)
        {
            served = await WriteJsonPageAsync(http, context, pin, selection, query, timeout.Token).ConfigureAwait(false);
        }
        else
        {
            served = await WritePageAsync(http, context, pin, selection, query, output, timeout.Token).ConfigureAwait(false);
        }

        QueryMetrics.Rows.WithLabels("trades", "hot").Inc(served.Hot);
        QueryMetrics.Rows.WithLabels("trades", "cold").Inc(served.Cold);
    }

    private static async Task<TierCounts> WriteJsonPageAsync(HttpContext http, QueryContext context, ColdPin pin, TradeSelection selection, string query, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string>();
        var sql = TradeSql.Select(context.Database, pin, selection, TradeSql.Projection(text: true), parameters, context.Options.QueryTimeoutSeconds) + Settings(OutputFormat.Json);
        await using var rows = await context.Gateway.QueryStreamAsync(sql, OutputFormat.Json.ClickHouseFormat, parameters, cancellationToken).ConfigureAwait(false);
        http.Response.ContentType = OutputFormat.Json.MediaType;
        var body = http.Response.BodyWriter;
        body.Write("{\"data\":[\n"u8);
        var lines = new ResultLines(rows, body, jsonArray: true);
        await lines.CopyAsync(cancellationToken).ConfigureAwait(false);
        var next = lines.Tiers.Total == selection.Limit ? NextCursor(lines.LastRow, pin, query) : null;
        body.Write(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"\n],\"count\":{lines.Tiers.Total},\"next_cursor\":{(next is null ? "null" : JsonSerializer.Serialize(next))}}}\n")));
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
        return lines.Tiers;
    }

    private static async Task<TierCounts> WritePageAsync(HttpContext http, QueryContext context, ColdPin pin, TradeSelection selection, string query, OutputFormat output, CancellationToken cancellationToken)
    {
        var probeParameters = new Dictionary<string, string>();
        var probe = await context.Gateway.QueryTextAsync(TradeSql.Probe(context.Database, pin, selection, probeParameters, context.Options.QueryTimeoutSeconds),
            probeParameters, "TabSeparated", cancellationToken).ConfigureAwait(false);
        var fields = probe.TrimEnd('\n').Split('\t');
        var count = long.Parse(fields[0], CultureInfo.InvariantCulture);
        var served = new TierCounts { Cold = long.Parse(fields[1], CultureInfo.InvariantCulture) };
        served.Hot = count - served.Cold;

        // A full page ends at its last key; rows arriving meanwhile up to it are sent too, so the next page starts exactly after it.
        var full = count == selection.Limit;
        var page = full
            ? selection with { UpTo = new TradeKey(long.Parse(fields[2], CultureInfo.InvariantCulture), Unescape(fields[3]), Unescape(fields[4])), Limit = null }
            : selection with { Limit = null };
        if (full)
        {
            http.Response.Headers[NextCursorHeader] = new TradeCursor(query, pin.SnapshotId, page.UpTo!.Value.ExchangeTsMicros, page.UpTo.Value.Exchange, page.UpTo.Value.TradeId).Encode();
        }

        var parameters = new Dictionary<string, string>();
        var sql = TradeSql.Select(context.Database, pin, page, TradeSql.Projection(output.IsText), parameters, context.Options.QueryTimeoutSeconds) + Settings(output);
        await using var rows = await context.Gateway.QueryStreamAsync(sql, output.ClickHouseFormat, parameters, cancellationToken).ConfigureAwait(false);
        http.Response.ContentType = output.MediaType;
        if (output == OutputFormat.Csv) { await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(TradeSql.CsvHeader), cancellationToken).ConfigureAwait(false); }
        await rows.CopyToAsync(http.Response.Body, 64 * 1024, cancellationToken).ConfigureAwait(false);
        return served;
    }

    /// <summary>Output-format settings, appended to the query's SETTINGS clause.</summary>
    public static string Settings(OutputFormat output) =>
        string.Concat(output.Settings.Select(s => $", {s.Key} = {s.Value}"));

    private static string NextCursor(ReadOnlySpan<byte> lastRow, ColdPin pin, string query)
    {
        var reader = new Utf8JsonReader(lastRow);
        long ts = 0;
        string exchange = "", tradeId = "";
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1) { continue; }
            if (reader.ValueTextEquals("exchange_ts_us"u8)) { reader.Read(); ts = reader.GetInt64(); }
            else if (reader.ValueTextEquals("exchange"u8)) { reader.Read(); exchange = reader.GetString()!; }
            else if (reader.ValueTextEquals("trade_id"u8)) { reader.Read(); tradeId = reader.GetString()!; }
        }

        return new TradeCursor(query, pin.SnapshotId, ts, exchange, tradeId).Encode();
    }

    // TabSeparated escapes backslash, tab and newline.
    private static string Unescape(string field) => field.Contains('\\', StringComparison.Ordinal)
        ? field.Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal)
        : field;
}
