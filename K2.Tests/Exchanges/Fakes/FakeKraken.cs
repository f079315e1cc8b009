using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using K2.Bench;
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
    protected override string WebSocketPath => "/v2";

    protected override string? Heartbeat => KrakenWire.Heartbeat;

    private HashSet<string> KnownSymbols => Trades.Select(t => t.Symbol).Concat(Listed).ToHashSet(StringComparer.Ordinal);

    protected override IEnumerable<string> OnConnect(FakeConnection connection) =>
        connection.Number == 1 ? [] : [KrakenWire.Status(connection.Number)];

    protected override IEnumerable<string> OnClientMessage(FakeConnection connection, string message)
    {
        if (KrakenWire.Parse(message, out var reply) is not { } request) { return [reply!]; }
        var snapshot = request.Snapshot;
        var replies = new List<string>();
        foreach (var symbol in request.Symbols)
        {
            if (!KnownSymbols.Contains(symbol))
            {
                replies.Add(request.UnsupportedPair(symbol));
                continue;
            }

            if (request.Method == "unsubscribe")
            {
                connection.Symbols.Remove(symbol);
                replies.Add(request.Unsubscribed(symbol));
                continue;
            }

            if (snapshot is null)
            {
                replies.Add(request.Refused(symbol, "snapshot must be sent explicitly in this test exchange"));
                continue;
            }

            connection.Symbols.Add(symbol);
            connection.IsSubscribed = true;
            if (connection.Number == 1) { continue; }
            replies.Add(request.Subscribed(symbol, snapshot.Value));
            if (snapshot.Value)
            {
                replies.Add(KrakenWire.TradeFrame("snapshot",
                    History.Where(t => t.Symbol == symbol).DistinctBy(t => t.Id).OrderBy(t => t.Id).TakeLast(SnapshotTrades).Select(t => t.Json)));
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
        KrakenWire.TradeFrame("update", [$"{{\"symbol\":\"{symbol}\",\"side\":\"{(takerBuys ? "buy" : "sell")}\",\"price\":{K2.Core.Trades.DecimalText.Format(price)},\"qty\":{quantity.ToString("0.00000000", CultureInfo.InvariantCulture)},\"ord_type\":\"limit\",\"trade_id\":{id},\"timestamp\":\"{Rfc3339(timeUs)}\"}}"]);

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
