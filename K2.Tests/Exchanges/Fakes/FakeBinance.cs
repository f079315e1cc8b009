using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace K2.Tests.Exchanges.Fakes;

/// <summary>
/// Binance Spot: combined streams on <c>/stream?streams=a@trade/b@trade[&amp;timeUnit=MICROSECOND]</c>,
/// SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS answered by id; <c>GET /api/v3/historicalTrades</c> (from an id, at most
/// 1000, default 500) and <c>GET /api/v3/aggTrades</c> (from a time; here one trade per aggregate) for backfill.
/// </summary>
internal sealed partial class FakeBinance(IReadOnlyList<string> timeline) : FakeExchangeServer(timeline)
{
    public const string ShutdownFrame = "{\"stream\":\"!serverShutdown\",\"data\":{\"e\":\"serverShutdown\",\"E\":1771338700000}}";

    protected override string WebSocketPath => "/stream";

    protected override IReadOnlySet<string> SymbolsFromUrl(HttpContext context) =>
        (context.Request.Query["streams"].ToString() ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries).Select(SymbolOfStream).ToHashSet(StringComparer.Ordinal);

    protected override IEnumerable<string> OnConnect(FakeConnection connection)
    {
        connection.Microseconds = true;
        return [];
    }

    protected override IEnumerable<string> OnClientMessage(FakeConnection connection, string message)
    {
        JsonNode? request;
        try
        {
            request = JsonNode.Parse(message);
        }
        catch (JsonException)
        {
            return ["{\"error\":{\"code\":3,\"msg\":\"Invalid JSON: expected value at line 1 column 1\"},\"id\":null}"];
        }

        var id = request?["id"]?.ToJsonString() ?? "null";
        var streams = request?["params"]?.AsArray().Select(p => p!.GetValue<string>()).ToArray() ?? [];
        switch (request?["method"]?.GetValue<string>())
        {
            case "SUBSCRIBE":
                foreach (var s in streams) { connection.Symbols.Add(SymbolOfStream(s)); }
                connection.IsSubscribed = connection.Symbols.Count > 0;
                return [$"{{\"result\":null,\"id\":{id}}}"];
            case "UNSUBSCRIBE":
                foreach (var s in streams) { connection.Symbols.Remove(SymbolOfStream(s)); }
                return [$"{{\"result\":null,\"id\":{id}}}"];
            case "LIST_SUBSCRIPTIONS":
                return [$"{{\"result\":[{string.Join(',', connection.Symbols.Select(s => $"\"{s.ToLowerInvariant()}@trade\""))}],\"id\":{id}}}"];
            default:
                return [$"{{\"error\":{{\"code\":2,\"msg\":\"Invalid request: missing field method\"}},\"id\":{id}}}"];
        }
    }

    protected override IReadOnlyCollection<string> SymbolsOf(string frame) =>
        JsonNode.Parse(frame)?["data"]?["s"]?.GetValue<string>() is { } s ? [s] : [];

    protected override IEnumerable<FakeTrade> TradesOf(int index, string frame)
    {
        var data = JsonNode.Parse(frame)?["data"];
        if (data?["e"]?.GetValue<string>() != "trade") { yield break; }
        yield return new FakeTrade(index, data["s"]!.GetValue<string>(), data["t"]!.GetValue<long>(), data.ToJsonString(), data["p"]!.GetValue<string>(),
            data["q"]!.GetValue<string>(), data["T"]!.GetValue<long>() * 1000, data["m"]!.GetValue<bool>() ? "true" : "false");
    }

    protected override string Stamp(FakeConnection connection, string frame) =>
        connection.Microseconds ? MillisecondTimes().Replace(frame, m => $"\"{m.Groups[1].Value}\":{long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) * 1000}") : frame;

    public override string TradeFrame(string symbol, long id, decimal price, decimal quantity, long timeUs, bool takerBuys) =>
        $"{{\"stream\":\"{symbol.ToLowerInvariant()}@trade\",\"data\":{{\"e\":\"trade\",\"E\":{timeUs / 1000 + 2},\"s\":\"{symbol}\",\"t\":{id},\"p\":\"{price.ToString("0.00000000", CultureInfo.InvariantCulture)}\",\"q\":\"{quantity.ToString("0.00000000", CultureInfo.InvariantCulture)}\",\"T\":{timeUs / 1000},\"m\":{(takerBuys ? "false" : "true")},\"M\":true}}}}";

    protected override void MapRest(WebApplication app)
    {
        app.MapGet("/api/v3/aggTrades", (string symbol, long startTime, int? limit) =>
        {
            var rows = History.Where(t => t.Symbol == symbol && t.TimeUs / 1000 >= startTime).DistinctBy(t => t.Id).OrderBy(t => t.Id).Take(Math.Min(limit ?? 500, MaxRestTrades))
                .Select(t => $"{{\"a\":{t.Id},\"p\":\"{t.Price}\",\"q\":\"{t.Quantity}\",\"f\":{t.Id},\"l\":{t.Id},\"T\":{t.TimeUs / 1000},\"m\":{t.Side},\"M\":true}}");
            return Results.Text($"[{string.Join(',', rows)}]", "application/json");
        });
        app.MapGet("/api/v3/historicalTrades", (string symbol, long fromId, int? limit) =>
        {
            if (limit > MaxRestTrades)
            {
                return Results.Text($"{{\"code\":-1100,\"msg\":\"Illegal characters found in parameter 'limit'; legal range is '{MaxRestTrades}'.\"}}", "application/json", statusCode: 400);
            }

            var rows = History.Where(t => t.Symbol == symbol && t.Id >= fromId).DistinctBy(t => t.Id).OrderBy(t => t.Id).Take(limit ?? 500)
                .Select(t => RestRow(t, $"{{\"id\":{t.Id},\"price\":\"{t.Price}\",\"qty\":\"{t.Quantity}\",\"quoteQty\":\"0\",\"time\":{t.TimeUs / 1000},\"isBuyerMaker\":{t.Side},\"isBestMatch\":true}}"));
            return Results.Text($"[{string.Join(',', rows)}]", "application/json");
        });
    }

    private static string SymbolOfStream(string stream) => stream.Split('@')[0].ToUpperInvariant();

    [GeneratedRegex("\"([ET])\":(\\d{13})(?=[,}])")]
    private static partial Regex MillisecondTimes();
}
