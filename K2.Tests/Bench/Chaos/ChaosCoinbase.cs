using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using K2.Core.Trades;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace K2.Bench.Chaos;

/// <summary>
/// Coinbase Advanced Trade on <c>/</c>: <c>market_trades</c> and <c>heartbeats</c> channels, a snapshot of the newest 50
/// trades per product (newest first) then <c>subscriptions</c>, <c>sequence_num</c> per connection, sides as the maker's;
/// <c>GET /api/v3/brokerage/market/products/{id}/ticker</c> (the newest trades between two Unix seconds, newest first,
/// at most 1000) for backfill.
/// </summary>
internal sealed partial class ChaosCoinbase(IReadOnlyList<SymbolTape> tapes) : ChaosExchange(Exchange.Coinbase, tapes)
{
    private const int SnapshotTrades = 50;

    protected override string WebSocketPath => "/";

    protected override string? Heartbeat =>
        "{\"channel\":\"heartbeats\",\"client_id\":\"\",\"timestamp\":\"2026-02-17T14:30:01.000703639Z\",\"sequence_num\":0,\"events\":[{\"current_time\":\"2026-02-17 14:30:01.000028954 +0000 UTC m=+412781.104244491\",\"heartbeat_counter\":412781}]}";

    protected override IEnumerable<string> OnClientMessage(Connection connection, string message)
    {
        var request = JsonNode.Parse(message)!;
        var type = request["type"]?.GetValue<string>();
        var channel = request["channel"]?.GetValue<string>();
        var products = request["product_ids"]?.AsArray().Select(p => p!.GetValue<string>()).ToArray() ?? [];
        if (type is not ("subscribe" or "unsubscribe") || channel is not ("market_trades" or "heartbeats") || products.Any(p => Tape(p) is null))
        {
            return ["{\"type\":\"error\",\"message\":\"failure to subscribe\"}"];
        }

        var replies = new List<string>();
        if (channel == "market_trades")
        {
            foreach (var product in products)
            {
                if (type == "unsubscribe")
                {
                    connection.SymbolSet.TryRemove(product, out _);
                    continue;
                }

                var tape = Tape(product)!;
                var newest = tape.FromId(tape.FirstId + tape.Count - SnapshotTrades, SnapshotTrades).Reverse();
                replies.Add(Message("snapshot", newest));
                connection.SymbolSet[product] = true;
            }
        }

        var list = string.Join(',', connection.Symbols.Order(StringComparer.Ordinal).Select(p => $"\"{p}\""));
        replies.Add($"{{\"channel\":\"subscriptions\",\"client_id\":\"\",\"timestamp\":\"2026-02-17T14:30:00.514820894Z\",\"sequence_num\":0,\"events\":[{{\"subscriptions\":{{\"heartbeats\":[\"heartbeats\"],\"market_trades\":[{list}]}}}}]}}");
        return replies;
    }

    protected override IReadOnlyList<string> Frames(IReadOnlyList<ChaosTrade> trades) => [Message("update", trades)];

    protected override string Stamp(Connection connection, string frame) =>
        SequenceNumber().Replace(frame, _ => $"\"sequence_num\":{connection.NextSequence++}", 1);

    protected override void MapRest(WebApplication app) =>
        app.MapGet("/api/v3/brokerage/market/products/{product}/ticker", (string product, int? limit, long? start, long? end) =>
        {
            if (limit > MaxRestTrades) { return Results.Text("{\"error\":\"INVALID_ARGUMENT\",\"message\":\"limit must be at most 1000\"}", "application/json", statusCode: 400); }
            var trades = Tape(product)?.NewestBetween((start ?? 0) * 1_000_000, (end ?? (long.MaxValue / 1_000_000)) * 1_000_000, limit ?? 100) ?? [];
            return Results.Text($"{{\"trades\":[{string.Join(',', trades.Select(Row))}],\"best_bid\":\"\",\"best_ask\":\"\"}}", "application/json");
        });

    private static string Message(string type, IEnumerable<ChaosTrade> trades) =>
        $"{{\"channel\":\"market_trades\",\"client_id\":\"\",\"timestamp\":\"{ChaosKraken.Rfc3339(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000)}\",\"sequence_num\":0,\"events\":[{{\"type\":\"{type}\",\"trades\":[{string.Join(',', trades.Select(Row))}]}}]}}";

    private static string Row(ChaosTrade t) => string.Create(CultureInfo.InvariantCulture,
        $"{{\"trade_id\":\"{t.Id}\",\"product_id\":\"{t.Symbol}\",\"price\":\"{DecimalText.Format(t.Price)}\",\"size\":\"{DecimalText.Format(t.Quantity)}\",\"side\":\"{(t.TakerBuys ? "SELL" : "BUY")}\",\"time\":\"{ChaosKraken.Rfc3339(t.TimeUs)}\"}}");

    [GeneratedRegex("\"sequence_num\":\\d+")]
    private static partial Regex SequenceNumber();
}
