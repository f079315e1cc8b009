using System.Globalization;
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

    protected override string WebSocketPath => "/v2";

    protected override string? Heartbeat => KrakenWire.Heartbeat;

    protected override IEnumerable<string> OnConnect(Connection connection) => [KrakenWire.Status(connection.Number)];

    protected override IEnumerable<string> OnClientMessage(Connection connection, string message)
    {
        if (KrakenWire.Parse(message, out var reply) is not { } request) { return [reply!]; }
        var snapshot = request.Snapshot ?? true;
        var replies = new List<string>();
        foreach (var symbol in request.Symbols)
        {
            if (Tape(symbol) is not { } tape)
            {
                replies.Add(request.UnsupportedPair(symbol));
                continue;
            }

            if (request.Method == "unsubscribe")
            {
                connection.SymbolSet.TryRemove(symbol, out _);
                replies.Add(request.Unsubscribed(symbol));
                continue;
            }

            replies.Add(request.Subscribed(symbol, snapshot));
            if (snapshot)
            {
                replies.Add(KrakenWire.TradeFrame("snapshot", tape.FromId(tape.FirstId + tape.Count - SnapshotTrades, SnapshotTrades).Select(Row)));
            }

            connection.SymbolSet[symbol] = true;
        }

        return replies;
    }

    protected override IReadOnlyList<string> Frames(IReadOnlyList<ChaosTrade> trades) => [KrakenWire.TradeFrame("update", trades.Select(Row))];

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
