using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace K2.Tests.Exchanges.Fakes;

/// <summary>
/// Kraken WebSocket v2 on <c>/v2</c>: status on connect, one ack per symbol (v1 names such as XBT/USD refused),
/// a 50-trade snapshot when asked, heartbeats when idle, ping/pong; <c>GET /0/public/Trades</c> (trades after a time in
/// ns, oldest first, at most 1000) for backfill.
/// </summary>
internal sealed class FakeKraken(IReadOnlyList<string> timeline) : FakeExchangeServer(timeline)
{
    private const string Time = "\"time_in\":\"2026-02-17T14:30:00.412873Z\",\"time_out\":\"2026-02-17T14:30:00.412941Z\"";

    protected override string WebSocketPath => "/v2";

    protected override string? Heartbeat => "{\"channel\":\"heartbeat\"}";

    private HashSet<string> KnownSymbols => Trades.Select(t => t.Symbol).Concat(Listed).ToHashSet(StringComparer.Ordinal);

    protected override IEnumerable<string> OnConnect(FakeConnection connection) =>
        connection.Number == 1 ? [] : [$"{{\"channel\":\"status\",\"type\":\"update\",\"data\":[{{\"version\":\"2.0.10\",\"system\":\"online\",\"api_version\":\"v2\",\"connection_id\":{connection.Number}}}]}}"];

    protected override IEnumerable<string> OnClientMessage(FakeConnection connection, string message)
    {
        var request = JsonNode.Parse(message)!;
        var reqId = request["req_id"] is { } id ? $",\"req_id\":{id.ToJsonString()}" : string.Empty;
        var method = request["method"]?.GetValue<string>();
        if (method == "ping") { return [$"{{\"method\":\"pong\"{reqId},{Time}}}"]; }
        var parameters = request["params"];
        if (method is not ("subscribe" or "unsubscribe") || parameters?["channel"]?.GetValue<string>() != "trade")
        {
            return [$"{{\"error\":\"Unsupported request\",\"method\":\"{method}\",\"success\":false{reqId},{Time}}}"];
        }

        var symbols = parameters["symbol"]!.AsArray().Select(s => s!.GetValue<string>()).ToArray();
        var snapshot = parameters["snapshot"]?.GetValue<bool>();
        var replies = new List<string>();
        foreach (var symbol in symbols)
        {
            if (!KnownSymbols.Contains(symbol))
            {
                replies.Add($"{{\"error\":\"Currency pair not supported {symbol}\",\"method\":\"{method}\",\"success\":false,\"symbol\":\"{symbol}\"{reqId},{Time}}}");
                continue;
            }

            if (method == "unsubscribe")
            {
                connection.Symbols.Remove(symbol);
                replies.Add($"{{\"method\":\"unsubscribe\",\"result\":{{\"channel\":\"trade\",\"symbol\":\"{symbol}\"}},\"success\":true{reqId},{Time}}}");
                continue;
            }

            if (snapshot is null)
            {
                replies.Add($"{{\"error\":\"snapshot must be sent explicitly in this test exchange\",\"method\":\"subscribe\",\"success\":false,\"symbol\":\"{symbol}\"{reqId},{Time}}}");
                continue;
            }

            connection.Symbols.Add(symbol);
            connection.IsSubscribed = true;
            if (connection.Number == 1) { continue; }
            replies.Add($"{{\"method\":\"subscribe\",\"result\":{{\"channel\":\"trade\",\"snapshot\":{(snapshot.Value ? "true" : "false")},\"symbol\":\"{symbol}\"}},\"success\":true{reqId},{Time}}}");
            if (snapshot.Value)
            {
                var last = History.Where(t => t.Symbol == symbol).DistinctBy(t => t.Id).OrderBy(t => t.Id).TakeLast(SnapshotTrades).Select(t => t.Json);
                replies.Add($"{{\"channel\":\"trade\",\"type\":\"snapshot\",\"data\":[{string.Join(',', last)}]}}");
            }
        }

        return replies;
    }

    protected override IReadOnlyCollection<string> SymbolsOf(string frame)
    {
        var root = JsonNode.Parse(frame)!;
        return root["channel"]?.GetValue<string>() == "trade" && root["data"] is JsonArray data
            ? data.Select(t => t!["symbol"]!.GetValue<string>()).Distinct().ToArray()
            : [];
    }

    protected override IEnumerable<FakeTrade> TradesOf(int index, string frame)
    {
        var root = JsonNode.Parse(frame)!;
        if (root["channel"]?.GetValue<string>() != "trade") { yield break; }
        foreach (var t in root["data"]!.AsArray())
        {
            var time = DateTimeOffset.Parse(t!["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            yield return new FakeTrade(index, t["symbol"]!.GetValue<string>(), t["trade_id"]!.GetValue<long>(), t.ToJsonString(),
                t["price"]!.ToJsonString(), t["qty"]!.ToJsonString(), (time - DateTimeOffset.UnixEpoch).Ticks / 10, t["side"]!.GetValue<string>());
        }
    }

    public override string TradeFrame(string symbol, long id, decimal price, decimal quantity, long timeUs, bool takerBuys) =>
        $"{{\"channel\":\"trade\",\"type\":\"update\",\"data\":[{{\"symbol\":\"{symbol}\",\"side\":\"{(takerBuys ? "buy" : "sell")}\",\"price\":{K2.Core.Trades.DecimalText.Format(price)},\"qty\":{quantity.ToString("0.00000000", CultureInfo.InvariantCulture)},\"ord_type\":\"limit\",\"trade_id\":{id},\"timestamp\":\"{Rfc3339(timeUs)}\"}}]}}";

    internal static string Rfc3339(long timeUs) =>
        DateTimeOffset.UnixEpoch.AddTicks(timeUs * 10).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    protected override void MapRest(WebApplication app) =>
        app.MapGet("/0/public/Trades", (string pair, long? since, int? count) =>
        {
            var symbol = $"{Canonical(pair[..^3])}/{Canonical(pair[^3..])}";
            var rows = History.Where(t => t.Symbol == symbol && t.TimeUs * 1000 > (since ?? 0)).DistinctBy(t => t.Id).OrderBy(t => t.Id)
                .Take(Math.Min(count ?? MaxRestTrades, MaxRestTrades)).ToArray();
            var rowsJson = string.Join(',', rows.Select(t =>
                RestRow(t, $"[\"{t.Price}\",\"{t.Quantity}\",{t.TimeUs / 1_000_000}.{t.TimeUs % 1_000_000:D6},\"{t.Side[0]}\",\"l\",\"\",{t.Id}]")));
            var last = rows.Length > 0 ? rows[^1].TimeUs * 1000 : since ?? 0;
            return Results.Text($"{{\"error\":[],\"result\":{{\"X{pair}\":[{rowsJson}],\"last\":\"{last}\"}}}}", "application/json");
        });

    private static string Canonical(string asset) => asset switch { "XBT" => "BTC", "XDG" => "DOGE", _ => asset };
}
