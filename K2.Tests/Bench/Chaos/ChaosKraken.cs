using System.Globalization;
using System.Text.Json.Nodes;
using K2.Core.Trades;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace K2.Bench.Chaos;

/// <summary>
/// Kraken WebSocket v2 on <c>/v2</c>: status on connect, an ack per symbol, the newest 50 trades as a snapshot when asked,
/// a frame per symbol and batch, heartbeats when idle, ping/pong; <c>GET /0/public/Trades</c> (trades after a time in ns,
/// oldest first, at most 1000) for backfill.
/// </summary>
internal sealed class ChaosKraken(IReadOnlyList<SymbolTape> tapes) : ChaosExchange(Exchange.Kraken, tapes)
{
    private const int SnapshotTrades = 50;
    private const string Time = "\"time_in\":\"2026-02-17T14:30:00.412873Z\",\"time_out\":\"2026-02-17T14:30:00.412941Z\"";

    protected override string WebSocketPath => "/v2";

    protected override string? Heartbeat => "{\"channel\":\"heartbeat\"}";

    protected override IEnumerable<string> OnConnect(Connection connection) =>
        [$"{{\"channel\":\"status\",\"type\":\"update\",\"data\":[{{\"version\":\"2.0.10\",\"system\":\"online\",\"api_version\":\"v2\",\"connection_id\":{connection.Number}}}]}}"];

    protected override IEnumerable<string> OnClientMessage(Connection connection, string message)
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

        var snapshot = parameters["snapshot"]?.GetValue<bool>() ?? true;
        var replies = new List<string>();
        foreach (var symbol in parameters["symbol"]!.AsArray().Select(s => s!.GetValue<string>()))
        {
            if (Tape(symbol) is not { } tape)
            {
                replies.Add($"{{\"error\":\"Currency pair not supported {symbol}\",\"method\":\"{method}\",\"success\":false,\"symbol\":\"{symbol}\"{reqId},{Time}}}");
                continue;
            }

            if (method == "unsubscribe")
            {
                connection.SymbolSet.TryRemove(symbol, out _);
                replies.Add($"{{\"method\":\"unsubscribe\",\"result\":{{\"channel\":\"trade\",\"symbol\":\"{symbol}\"}},\"success\":true{reqId},{Time}}}");
                continue;
            }

            replies.Add($"{{\"method\":\"subscribe\",\"result\":{{\"channel\":\"trade\",\"snapshot\":{(snapshot ? "true" : "false")},\"symbol\":\"{symbol}\"}},\"success\":true{reqId},{Time}}}");
            if (snapshot)
            {
                var newest = tape.FromId(tape.FirstId + tape.Count - SnapshotTrades, SnapshotTrades);
                replies.Add($"{{\"channel\":\"trade\",\"type\":\"snapshot\",\"data\":[{string.Join(',', newest.Select(Row))}]}}");
            }

            connection.SymbolSet[symbol] = true;
        }

        return replies;
    }

    protected override IReadOnlyList<string> Frames(IReadOnlyList<ChaosTrade> trades) =>
        [$"{{\"channel\":\"trade\",\"type\":\"update\",\"data\":[{string.Join(',', trades.Select(Row))}]}}"];

    protected override void MapRest(WebApplication app) =>
        app.MapGet("/0/public/Trades", (string pair, long? since, int? count) =>
        {
            var symbol = $"{pair[..^3]}/{pair[^3..]}";
            var rows = Tape(symbol)?.FromTime((since ?? 0) / 1000, Math.Min(count ?? MaxRestTrades, MaxRestTrades), strictly: true) ?? [];
            var json = string.Join(',', rows.Select(t => string.Create(CultureInfo.InvariantCulture,
                $"[\"{t.Price}\",\"{t.Quantity}\",{t.TimeUs / 1_000_000}.{t.TimeUs % 1_000_000:D6},\"{(t.TakerBuys ? 'b' : 's')}\",\"l\",\"\",{t.Id}]")));
            var last = rows.Count > 0 ? rows[^1].TimeUs * 1000 : since ?? 0;
            return Results.Text($"{{\"error\":[],\"result\":{{\"X{pair}\":[{json}],\"last\":\"{last}\"}}}}", "application/json");
        });

    private static string Row(ChaosTrade t) => string.Create(CultureInfo.InvariantCulture,
        $"{{\"symbol\":\"{t.Symbol}\",\"side\":\"{(t.TakerBuys ? "buy" : "sell")}\",\"price\":{DecimalText.Format(t.Price)},\"qty\":{DecimalText.Format(t.Quantity)},\"ord_type\":\"limit\",\"trade_id\":{t.Id},\"timestamp\":\"{Rfc3339(t.TimeUs)}\"}}");

    internal static string Rfc3339(long timeUs) =>
        DateTimeOffset.UnixEpoch.AddTicks(timeUs * 10).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
