using System.Buffers;
using System.Globalization;
using System.Text;
using K2.Offload.Tables;
using K2.Query.Reading;
using Microsoft.AspNetCore.Http;

namespace K2.Query.Api;

/// <summary><c>GET /v1/candles</c>: OHLCV windows of one symbol, stored or rolled up, in (window start, exchange) order.</summary>
internal static class CandlesEndpoint
{
    private const int DefaultWindows = 1_000;

    private static readonly string[] Known = ["interval", "exchange", "symbol", "from", "to", "format"];

    public static async Task HandleAsync(HttpContext http, QueryContext context, string? interval, string? exchange, string? symbol, string? from, string? to, string? format)
    {
        RequestParameters.OnlyKnown(http.Request, Known);
        var output = RequestParameters.Format(format, http.Request);
        var requested = RequestedInterval.Parse(interval);
        var venue = SymbolResolver.ParseExchange(exchange);
        var resolved = context.Symbols.Resolve(symbol, venue);
        var now = context.NowMicros;
        var (fromMicros, toMicros) = RequestParameters.Range(from, to, now, DefaultWindows * requested.Micros);
        var first = requested.WindowStart(fromMicros);
        var windows = ((toMicros - first + requested.Micros - 1) / requested.Micros) * resolved.Exchanges.Count;
        if (windows > context.Options.MaxCandles)
        {
            throw new BadParameterException("from", string.Create(CultureInfo.InvariantCulture,
                $"the range {TimeParameter.Iso(fromMicros)} – {TimeParameter.Iso(toMicros)} at {requested.Name} spans {windows} candles; at most {context.Options.MaxCandles} (Modules:Query:MaxCandles): narrow the range, pick one exchange or a longer interval"));
        }

        var selection = new CandleSelection(resolved, requested, first, toMicros, now);
        var pin = await context.Pins.PinAsync(ColdTables.Gold.Single(t => t.Interval == requested.Source), null, http.RequestAborted).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(context.Options.QueryTimeoutSeconds));
        var served = output.IsText
            ? await WriteTextAsync(http, context, pin, selection, output, timeout.Token).ConfigureAwait(false)
            : await WriteBinaryAsync(http, context, pin, selection, output, timeout.Token).ConfigureAwait(false);
        QueryMetrics.Rows.WithLabels("candles", "hot").Inc(served.Hot);
        QueryMetrics.Rows.WithLabels("candles", "cold").Inc(served.Cold);
        QueryMetrics.Rows.WithLabels("candles", "mixed").Inc(served.Mixed);
    }

    private static async Task<TierCounts> WriteTextAsync(HttpContext http, QueryContext context, ColdPin pin, CandleSelection selection, OutputFormat output, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string>();
        var sql = CandleSql.Select(context.Database, pin, selection, CandleSql.Projection(text: true), parameters, context.Options.QueryTimeoutSeconds) + TradesEndpoint.Settings(output);
        await using var rows = await context.Gateway.QueryStreamAsync(sql, output.ClickHouseFormat, parameters, cancellationToken).ConfigureAwait(false);
        http.Response.ContentType = output.MediaType;
        var body = http.Response.BodyWriter;
        var json = output == OutputFormat.Json;
        if (json) { body.Write("{\"data\":[\n"u8); }
        if (output == OutputFormat.Csv) { body.Write(Encoding.UTF8.GetBytes(CandleSql.CsvHeader)); }
        var lines = new ResultLines(rows, body, jsonArray: json);
        await lines.CopyAsync(cancellationToken).ConfigureAwait(false);
        if (json) { body.Write(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"\n],\"count\":{lines.Tiers.Total}}}\n"))); }
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
        return lines.Tiers;
    }

    private static async Task<TierCounts> WriteBinaryAsync(HttpContext http, QueryContext context, ColdPin pin, CandleSelection selection, OutputFormat output, CancellationToken cancellationToken)
    {
        var countParameters = new Dictionary<string, string>();
        var counts = (await context.Gateway.QueryTextAsync(CandleSql.CountByTier(context.Database, pin, selection, countParameters, context.Options.QueryTimeoutSeconds),
            countParameters, "TabSeparated", cancellationToken).ConfigureAwait(false)).TrimEnd('\n').Split('\t').Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var parameters = new Dictionary<string, string>();
        var sql = CandleSql.Select(context.Database, pin, selection, CandleSql.Projection(text: false), parameters, context.Options.QueryTimeoutSeconds) + TradesEndpoint.Settings(output);
        await using var rows = await context.Gateway.QueryStreamAsync(sql, output.ClickHouseFormat, parameters, cancellationToken).ConfigureAwait(false);
        http.Response.ContentType = output.MediaType;
        await rows.CopyToAsync(http.Response.Body, 64 * 1024, cancellationToken).ConfigureAwait(false);
        return new TierCounts { Cold = counts[0], Hot = counts[1], Mixed = counts[2] };
    }
}
