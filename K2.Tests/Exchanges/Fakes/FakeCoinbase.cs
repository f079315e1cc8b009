using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace K2.Tests.Exchanges.Fakes;

/// <summary>
/// Coinbase Advanced Trade: one channel per subscribe, per-product snapshots (newest first) then a cumulative
/// <c>subscriptions</c> message, <c>sequence_num</c> counted per connection, heartbeats, an error frame for
/// unknown products; <c>GET /api/v3/brokerage/market/products/{id}/ticker</c> (the newest trades between two Unix
/// seconds, newest first, at most 1000) for backfill.
/// </summary>
internal sealed partial class FakeCoinbase(IReadOnlyList<string> timeline) : FakeExchangeServer(timeline)
{
    protected override string WebSocketPath => "/";

    protected override string? Heartbeat =>
        "{\"channel\":\"heartbeats\",\"client_id\":\"\",\"timestamp\":\"2026-02-17T14:30:01.000703639Z\",\"sequence_num\":0,\"events\":[{\"current_time\":\"2026-02-17 14:30:01.000028954 +0000 UTC m=+412781.104244491\",\"heartbeat_counter\":412781}]}";

    private HashSet<string> KnownProducts => Trades.Select(t => t.Symbol).Concat(Listed).ToHashSet(StringComparer.Ordinal);

    protected override IEnumerable<string> OnClientMessage(FakeConnection connection, string message)
    {
        var request = JsonNode.Parse(message)!;
        var type = request["type"]?.GetValue<string>();
        var channel = request["channel"]?.GetValue<string>();
        var products = request["product_ids"]?.AsArray().Select(p => p!.GetValue<string>()).ToArray() ?? [];
        if (type is not ("subscribe" or "unsubscribe") || channel is not ("market_trades" or "heartbeats") || products.Any(p => !KnownProducts.Contains(p)))
        {
            return ["{\"type\":\"error\",\"message\":\"failure to subscribe\"}"];
        }

        var replies = new List<string>();
        if (channel == "market_trades")
        {
            foreach (var product in products)
            {
                if (type == "unsubscribe") { connection.Symbols.Remove(product); continue; }
                connection.Symbols.Add(product);
                if (connection.Number > 1) { replies.Add(Snapshot(product)); }
            }

            connection.IsSubscribed = connection.Symbols.Count > 0;
        }

        if (connection.Number > 1)
        {
            var list = string.Join(',', connection.Symbols.Order(StringComparer.Ordinal).Select(p => $"\"{p}\""));
            replies.Add($"{{\"channel\":\"subscriptions\",\"client_id\":\"\",\"timestamp\":\"2026-02-17T14:30:00.514820894Z\",\"sequence_num\":0,\"events\":[{{\"subscriptions\":{{\"heartbeats\":[\"heartbeats\"],\"market_trades\":[{list}]}}}}]}}");
        }

        return replies;
    }

    protected override IReadOnlyCollection<string> SymbolsOf(string frame)
    {
        var root = JsonNode.Parse(frame)!;
        return root["channel"]?.GetValue<string>() == "market_trades"
            ? root["events"]!.AsArray().SelectMany(e => e!["trades"]!.AsArray()).Select(t => t!["product_id"]!.GetValue<string>()).Distinct().ToArray()
            : [];
    }

    protected override IEnumerable<FakeTrade> TradesOf(int index, string frame)
    {
        var root = JsonNode.Parse(frame)!;
        if (root["channel"]?.GetValue<string>() != "market_trades") { yield break; }
        foreach (var t in root["events"]!.AsArray().SelectMany(e => e!["trades"]!.AsArray()))
        {
            var time = DateTimeOffset.Parse(t!["time"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            yield return new FakeTrade(index, t["product_id"]!.GetValue<string>(), long.Parse(t["trade_id"]!.GetValue<string>(), CultureInfo.InvariantCulture), t.ToJsonString(),
                t["price"]!.GetValue<string>(), t["size"]!.GetValue<string>(), (time - DateTimeOffset.UnixEpoch).Ticks / 10, t["side"]!.GetValue<string>());
        }
    }

    protected override string Stamp(FakeConnection connection, string frame) =>
        SequenceNumber().Replace(frame, _ => $"\"sequence_num\":{connection.NextSequence++}", 1);

    public override string TradeFrame(string symbol, long id, decimal price, decimal quantity, long timeUs, bool takerBuys) =>
        $"{{\"channel\":\"market_trades\",\"client_id\":\"\",\"timestamp\":\"{FakeKraken.Rfc3339(timeUs + 500)}\",\"sequence_num\":0,\"events\":[{{\"type\":\"update\",\"trades\":[{{\"trade_id\":\"{id}\",\"product_id\":\"{symbol}\",\"price\":\"{K2.Core.Trades.DecimalText.Format(price)}\",\"size\":\"{K2.Core.Trades.DecimalText.Format(quantity)}\",\"side\":\"{(takerBuys ? "SELL" : "BUY")}\",\"time\":\"{FakeKraken.Rfc3339(timeUs)}\"}}]}}]}}";

    protected override void MapRest(WebApplication app) =>
        app.MapGet("/api/v3/brokerage/market/products/{product}/ticker", (string product, int? limit, long? start, long? end) =>
        {
            if (limit > MaxRestTrades) { return Results.Text("{\"error\":\"INVALID_ARGUMENT\",\"message\":\"limit must be at most 1000\"}", "application/json", statusCode: 400); }
            var trades = History.Where(t => t.Symbol == product && t.TimeUs >= (start ?? 0) * 1_000_000 && t.TimeUs < (end ?? long.MaxValue / 1_000_000) * 1_000_000)
                .DistinctBy(t => t.Id).OrderByDescending(t => t.Id).Take(limit ?? 100).Select(t => RestRow(t, t.Json));
            return Results.Text($"{{\"trades\":[{string.Join(',', trades)}],\"best_bid\":\"\",\"best_ask\":\"\"}}", "application/json");
        });

    private string Snapshot(string product)
    {
        var trades = History.Where(t => t.Symbol == product).DistinctBy(t => t.Id).OrderByDescending(t => t.Id).Take(SnapshotTrades).Select(t => t.Json);
        return $"{{\"channel\":\"market_trades\",\"client_id\":\"\",\"timestamp\":\"2026-02-17T14:30:00.513068032Z\",\"sequence_num\":0,\"events\":[{{\"type\":\"snapshot\",\"trades\":[{string.Join(',', trades)}]}}]}}";
    }

    [GeneratedRegex("\"sequence_num\":\\d+")]
    private static partial Regex SequenceNumber();
}
