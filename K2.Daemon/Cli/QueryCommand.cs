using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using K2.Query;

namespace K2.Daemon.Cli;

/// <summary>
/// <c>k2 query trades|candles|instruments</c>: the running daemon's query API from the command line, a table on the
/// terminal or <c>--format csv|json|parquet --output FILE</c>; <c>k2 query new-key</c> makes an API key and its hash.
/// </summary>
internal static class QueryCommand
{
    /// <summary>Environment variable holding the API key the CLI sends (keys never go on the command line).</summary>
    public const string ApiKeyVariable = "K2_API_KEY";

    private const string NextCursorHeader = "K2-Next-Cursor";

    public static Command Create()
    {
        var command = new Command("query", $"Read trades, candles and instruments from the running daemon's query API (API key from ${ApiKeyVariable} when required)");
        command.Subcommands.Add(Trades());
        command.Subcommands.Add(Candles());
        command.Subcommands.Add(Instruments());
        command.Subcommands.Add(NewKey());
        return command;
    }

    private sealed record Common(Option<string?> Url, Option<string> Format, Option<string?> Output);

    private static Common AddCommon(Command command)
    {
        var common = new Common(
            new Option<string?>("--url") { Description = "Base URL of the query API (default: http://<Modules:Query:Listen>)" },
            new Option<string>("--format") { Description = "table (default), csv, json (one object per line) or parquet", DefaultValueFactory = _ => "table" },
            new Option<string?>("--output") { Description = "Write to this file instead of standard output" });
        command.Options.Add(common.Url);
        command.Options.Add(common.Format);
        command.Options.Add(common.Output);
        return common;
    }

    private static Command Trades()
    {
        var command = new Command("trades", "Trades of one symbol in (exchange time, exchange, trade id) order, across the hot and cold tiers");
        var (exchange, symbol, from, to) = RangeOptions(command);
        var limit = new Option<int>("--limit") { Description = "Most trades to print", DefaultValueFactory = _ => 100 };
        command.Options.Add(limit);
        var common = AddCommon(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var query = new List<(string, string?)> { ("symbol", parse.GetValue(symbol)), ("exchange", parse.GetValue(exchange)), ("from", parse.GetValue(from)), ("to", parse.GetValue(to)) };
            return await RunAsync(parse.GetValue(common.Url), parse.GetValue(common.Output), async (http, output) =>
                await TradesAsync(http, query, parse.GetValue(limit), parse.GetValue(common.Format)!, output, cancellationToken), cancellationToken);
        });
        return command;
    }

    private static Command Candles()
    {
        var command = new Command("candles", "OHLCV candles of one symbol: 1m, 5m, 15m, 30m, 1h, 1d or any multiple of 1m (3m, 4h, 1w)");
        var (exchange, symbol, from, to) = RangeOptions(command);
        var interval = new Option<string>("--interval") { Description = "Candle interval", DefaultValueFactory = _ => "1h" };
        command.Options.Add(interval);
        var common = AddCommon(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var query = new List<(string, string?)> { ("interval", parse.GetValue(interval)), ("symbol", parse.GetValue(symbol)), ("exchange", parse.GetValue(exchange)), ("from", parse.GetValue(from)), ("to", parse.GetValue(to)) };
            return await RunAsync(parse.GetValue(common.Url), parse.GetValue(common.Output), async (http, output) =>
                await SingleAsync(http, "/v1/candles", query, parse.GetValue(common.Format)!, output,
                    ["window_start", "exchange", "open", "high", "low", "close", "volume", "trade_count", "closed", "tier"], cancellationToken), cancellationToken);
        });
        return command;
    }

    private static Command Instruments()
    {
        var command = new Command("instruments", "Configured instruments and the time range of trades held in the hot and the cold tier");
        var exchange = new Option<string?>("--exchange") { Description = "Only this exchange" };
        command.Options.Add(exchange);
        var common = AddCommon(command);
        command.SetAction(async (parse, cancellationToken) => await RunAsync(parse.GetValue(common.Url), parse.GetValue(common.Output), async (http, output) =>
        {
            using var response = await http.GetAsync(Url("/v1/instruments", [("exchange", parse.GetValue(exchange))], null), cancellationToken);
            if (!await SucceededAsync(response, cancellationToken)) { return ExitCodes.Failure; }
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var rows = document.RootElement.GetProperty("data").EnumerateArray().Select(i => new[]
            {
                i.GetProperty("exchange").GetString()!, i.GetProperty("symbol").GetString()!, i.GetProperty("canonical_symbol").GetString()!,
                Range(i.GetProperty("hot")), Range(i.GetProperty("cold")),
            }).ToList();
            await WriteTableAsync(output, ["exchange", "symbol", "canonical_symbol", "hot", "cold"], rows);
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static Command NewKey()
    {
        var command = new Command("new-key", "Print a new random API key and the SHA-256 to put under Modules:Query:ApiKeys (the key itself stays with its user)");
        command.SetAction(_ =>
        {
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            Console.WriteLine($"key:    {key}");
            Console.WriteLine($"sha256: {Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static (Option<string?> Exchange, Option<string> Symbol, Option<string?> From, Option<string?> To) RangeOptions(Command command)
    {
        var exchange = new Option<string?>("--exchange") { Description = "binance, kraken or coinbase (default: every exchange listing the symbol)" };
        var symbol = new Option<string>("--symbol") { Description = "Canonical (BTC/USD) or an exchange's own symbol (BTCUSDT)", Required = true };
        var from = new Option<string?>("--from") { Description = "Start, ISO-8601 (2025-01-02T03:04:05Z or 2025-01-02) or Unix µs" };
        var to = new Option<string?>("--to") { Description = "End (exclusive), same forms; default now" };
        command.Options.Add(exchange);
        command.Options.Add(symbol);
        command.Options.Add(from);
        command.Options.Add(to);
        return (exchange, symbol, from, to);
    }

    private static async Task<int> RunAsync(string? baseUrl, string? outputPath, Func<HttpClient, Stream, Task<int>> action, CancellationToken cancellationToken)
    {
        baseUrl ??= DefaultUrl();
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(10) };
        if (Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } key) { http.DefaultRequestHeaders.Add("X-API-Key", key); }
        try
        {
            await using var output = outputPath is null ? Console.OpenStandardOutput() : File.Create(outputPath);
            return await action(http, output);
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"k2 query: no query API answers at {baseUrl} ({ex.Message}). Start the daemon with `./k2 run`, or pass --url.");
            return ExitCodes.Failure;
        }
    }

    private static string DefaultUrl()
    {
        var listen = DaemonConfiguration.Build()[$"{QueryOptions.SectionName}:{nameof(QueryOptions.Listen)}"] ?? new QueryOptions().Listen;
        return $"http://{listen.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)}";
    }

    /// <summary>Pages of trades until <paramref name="limit"/> rows or the end; CSV keeps one header, JSON is one object per line.</summary>
    private static async Task<int> TradesAsync(HttpClient http, List<(string, string?)> query, int limit, string format, Stream output, CancellationToken cancellationToken)
    {
        var wire = format switch { "table" => "json", "json" => "ndjson", _ => format };
        var rows = new List<string[]>();
        string? cursor = null;
        var written = 0;
        do
        {
            var page = Math.Min(limit - written, 1_000_000);
            using var response = await http.GetAsync(Url("/v1/trades", [.. query, ("limit", page.ToString(CultureInfo.InvariantCulture)), ("format", wire)], cursor), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!await SucceededAsync(response, cancellationToken)) { return ExitCodes.Failure; }
            if (format == "table")
            {
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                var data = document.RootElement.GetProperty("data").EnumerateArray().ToList();
                rows.AddRange(data.Select(t => Cells(t, ["exchange_ts", "exchange", "symbol", "trade_id", "side", "price", "quantity", "tier"])));
                written += data.Count;
                cursor = document.RootElement.GetProperty("next_cursor").GetString();
            }
            else
            {
                written += await CopyAsync(response, output, skipHeader: format == "csv" && cursor is not null, cancellationToken);
                cursor = response.Headers.TryGetValues(NextCursorHeader, out var next) ? next.Single() : null;
                if (format == "parquet" && cursor is not null)
                {
                    await Console.Error.WriteLineAsync($"k2 query: the range holds more than {limit} trades; a Parquet file holds one page: narrow --from/--to or raise --limit");
                    break;
                }
            }
        }
        while (cursor is not null && written < limit);

        if (format == "table") { await WriteTableAsync(output, ["exchange_ts", "exchange", "symbol", "trade_id", "side", "price", "quantity", "tier"], rows); }
        return ExitCodes.Ok;
    }

    private static async Task<int> SingleAsync(HttpClient http, string path, List<(string, string?)> query, string format, Stream output, string[] columns, CancellationToken cancellationToken)
    {
        var wire = format switch { "table" => "json", "json" => "ndjson", _ => format };
        using var response = await http.GetAsync(Url(path, [.. query, ("format", wire)], null), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!await SucceededAsync(response, cancellationToken)) { return ExitCodes.Failure; }
        if (format != "table")
        {
            await CopyAsync(response, output, skipHeader: false, cancellationToken);
            return ExitCodes.Ok;
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        await WriteTableAsync(output, columns, [.. document.RootElement.GetProperty("data").EnumerateArray().Select(c => Cells(c, columns))]);
        return ExitCodes.Ok;
    }

    /// <summary>Copies the body; returns the rows of a text body (lines, less a CSV header).</summary>
    private static async Task<int> CopyAsync(HttpResponseMessage response, Stream output, bool skipHeader, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        if (response.Content.Headers.ContentType?.MediaType is "text/csv" or "application/x-ndjson")
        {
            using var reader = new StreamReader(body, Encoding.UTF8);
            var rows = 0;
            var header = response.Content.Headers.ContentType.MediaType == "text/csv";
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (header)
                {
                    header = false;
                    if (skipHeader) { continue; }
                }
                else
                {
                    rows++;
                }

                await output.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cancellationToken);
            }

            return rows;
        }

        await body.CopyToAsync(output, cancellationToken);
        return 0;
    }

    private static async Task<bool> SucceededAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) { return true; }
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var detail = text;
        try
        {
            using var problem = JsonDocument.Parse(text);
            detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? text : text;
        }
        catch (JsonException)
        {
        }

        await Console.Error.WriteLineAsync($"k2 query: {(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
        return false;
    }

    private static string Url(string path, IEnumerable<(string Name, string? Value)> query, string? cursor) =>
        path + "?" + string.Join("&", query.Append(("cursor", cursor)).Where(q => !string.IsNullOrEmpty(q.Item2)).Select(q => $"{q.Item1}={Uri.EscapeDataString(q.Item2!)}"));

    private static string[] Cells(JsonElement row, string[] columns) =>
        [.. columns.Select(c => row.GetProperty(c) switch
        {
            { ValueKind: JsonValueKind.String } s => s.GetString()!,
            var other => other.GetRawText(),
        })];

    private static string Range(JsonElement tier) => tier.ValueKind == JsonValueKind.Null
        ? "-"
        : $"{tier.GetProperty("first_trade").GetString()} .. {tier.GetProperty("last_trade").GetString()}";

    private static async Task WriteTableAsync(Stream output, string[] columns, IReadOnlyList<string[]> rows)
    {
        var widths = columns.Select((c, i) => Math.Max(c.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        void Line(IReadOnlyList<string> cells) => text.AppendLine(string.Join("  ", widths.Select((w, i) => cells[i].PadRight(w))).TrimEnd());
        Line(columns);
        foreach (var row in rows) { Line(row); }
        if (rows.Count == 0) { text.AppendLine("(no rows)"); }
        await output.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()));
    }
}
