using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using K2.Core.Trades;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace K2.Bench.Chaos;

/// <summary>
/// Binance Spot: combined <c>@trade</c> streams on <c>/stream?streams=…&amp;timeUnit=MICROSECOND</c>, SUBSCRIBE answered by
/// id, one trade a frame; <c>GET /api/v3/historicalTrades</c> (from an id) and <c>GET /api/v3/aggTrades</c> (from a time,
/// one trade per aggregate) for backfill.
/// </summary>
internal sealed partial class ChaosBinance(IReadOnlyList<SymbolTape> tapes) : ChaosExchange(Exchange.Binance, tapes)
{
    protected override string WebSocketPath => "/stream";

    protected override IReadOnlySet<string> SymbolsFromUrl(HttpContext context) =>
        context.Request.Query["streams"].ToString().Split('/', StringSplitOptions.RemoveEmptyEntries).Select(SymbolOfStream).ToHashSet(StringComparer.Ordinal);

    protected override IEnumerable<string> OnConnect(Connection connection)
    {
        connection.Microseconds = true;
        return [];
    }

    protected override IEnumerable<string> OnClientMessage(Connection connection, string message)
    {
        var request = JsonNode.Parse(message);
        var id = request?["id"]?.ToJsonString() ?? "null";
        var streams = request?["params"]?.AsArray().Select(p => p!.GetValue<string>()).ToArray() ?? [];
        switch (request?["method"]?.GetValue<string>())
        {
            case "SUBSCRIBE":
                foreach (var s in streams) { connection.SymbolSet[SymbolOfStream(s)] = true; }
                return [$"{{\"result\":null,\"id\":{id}}}"];
            case "UNSUBSCRIBE":
                foreach (var s in streams) { connection.SymbolSet.TryRemove(SymbolOfStream(s), out _); }
                return [$"{{\"result\":null,\"id\":{id}}}"];
            case "LIST_SUBSCRIPTIONS":
                return [$"{{\"result\":[{string.Join(',', connection.Symbols.Select(s => $"\"{s.ToLowerInvariant()}@trade\""))}],\"id\":{id}}}"];
            default:
                return [$"{{\"error\":{{\"code\":2,\"msg\":\"Invalid request: missing field method\"}},\"id\":{id}}}"];
        }
    }

    protected override IReadOnlyList<string> Frames(IReadOnlyList<ChaosTrade> trades) =>
        [.. trades.Select(t => string.Create(CultureInfo.InvariantCulture,
            $"{{\"stream\":\"{t.Symbol.ToLowerInvariant()}@trade\",\"data\":{{\"e\":\"trade\",\"E\":{(t.TimeUs / 1000) + 1},\"s\":\"{t.Symbol}\",\"t\":{t.Id},\"p\":\"{Decimal(t.Price)}\",\"q\":\"{Decimal(t.Quantity)}\",\"T\":{t.TimeUs / 1000},\"m\":{(t.TakerBuys ? "false" : "true")},\"M\":true}}}}"))];

    protected override string Stamp(Connection connection, string frame) =>
        connection.Microseconds ? MillisecondTimes().Replace(frame, m => $"\"{m.Groups[1].Value}\":{long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) * 1000}") : frame;

    protected override void MapRest(WebApplication app)
    {
        app.MapGet("/api/v3/aggTrades", (string symbol, long startTime, int? limit) =>
        {
            var rows = (Tape(symbol)?.FromTime(startTime * 1000, Math.Min(limit ?? 500, MaxRestTrades)) ?? [])
                .Select(t => string.Create(CultureInfo.InvariantCulture, $"{{\"a\":{t.Id},\"p\":\"{Decimal(t.Price)}\",\"q\":\"{Decimal(t.Quantity)}\",\"f\":{t.Id},\"l\":{t.Id},\"T\":{t.TimeUs / 1000},\"m\":{(t.TakerBuys ? "false" : "true")},\"M\":true}}"));
            return Results.Text($"[{string.Join(',', rows)}]", "application/json");
        });
        app.MapGet("/api/v3/historicalTrades", (string symbol, long fromId, int? limit) =>
        {
            if (limit > MaxRestTrades)
            {
                return Results.Text($"{{\"code\":-1100,\"msg\":\"Illegal characters found in parameter 'limit'; legal range is '{MaxRestTrades}'.\"}}", "application/json", statusCode: 400);
            }

            var rows = (Tape(symbol)?.FromId(fromId, limit ?? 500) ?? [])
                .Select(t => string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{t.Id},\"price\":\"{Decimal(t.Price)}\",\"qty\":\"{Decimal(t.Quantity)}\",\"quoteQty\":\"0\",\"time\":{t.TimeUs / 1000},\"isBuyerMaker\":{(t.TakerBuys ? "false" : "true")},\"isBestMatch\":true}}"));
            return Results.Text($"[{string.Join(',', rows)}]", "application/json");
        });
    }

    /// <summary>Binance prints eight decimals.</summary>
    private static string Decimal(decimal value) => value.ToString("0.00000000", CultureInfo.InvariantCulture);

    private static string SymbolOfStream(string stream) => stream.Split('@')[0].ToUpperInvariant();

    [GeneratedRegex("\"([ET])\":(\\d{13})(?=[,}])")]
    private static partial Regex MillisecondTimes();
}
