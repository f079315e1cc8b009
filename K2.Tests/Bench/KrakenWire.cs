using System.Text.Json.Nodes;

namespace K2.Bench;

/// <summary>
/// Kraken WebSocket v2 messages as the exchange sends them, for the local Kraken of the chaos bench and of the tests: the
/// connection status, the replies to ping and to requests other than a trade subscription, and the per-symbol acks.
/// </summary>
internal static class KrakenWire
{
    private const string Time = "\"time_in\":\"2026-02-17T14:30:00.412873Z\",\"time_out\":\"2026-02-17T14:30:00.412941Z\"";

    /// <summary>A trade-channel subscribe or unsubscribe; <see cref="ReqId"/> is the JSON fragment echoed in each reply.</summary>
    public sealed record TradeRequest(string Method, JsonNode Parameters, string ReqId)
    {
        public IReadOnlyList<string> Symbols => [.. Parameters["symbol"]!.AsArray().Select(s => s!.GetValue<string>())];

        public bool? Snapshot => Parameters["snapshot"]?.GetValue<bool>();

        public string UnsupportedPair(string symbol) => Refused(symbol, $"Currency pair not supported {symbol}");

        public string Refused(string symbol, string error) =>
            $"{{\"error\":\"{error}\",\"method\":\"{Method}\",\"success\":false,\"symbol\":\"{symbol}\"{ReqId},{Time}}}";

        public string Unsubscribed(string symbol) =>
            $"{{\"method\":\"unsubscribe\",\"result\":{{\"channel\":\"trade\",\"symbol\":\"{symbol}\"}},\"success\":true{ReqId},{Time}}}";

        public string Subscribed(string symbol, bool snapshot) =>
            $"{{\"method\":\"subscribe\",\"result\":{{\"channel\":\"trade\",\"snapshot\":{(snapshot ? "true" : "false")},\"symbol\":\"{symbol}\"}},\"success\":true{ReqId},{Time}}}";
    }

    public const string Heartbeat = "{\"channel\":\"heartbeat\"}";

    public static string Status(int connectionId) =>
        $"{{\"channel\":\"status\",\"type\":\"update\",\"data\":[{{\"version\":\"2.0.10\",\"system\":\"online\",\"api_version\":\"v2\",\"connection_id\":{connectionId}}}]}}";

    /// <summary>A trade frame of <paramref name="type"/> (<c>snapshot</c> or <c>update</c>) holding trade objects already in JSON.</summary>
    public static string TradeFrame(string type, IEnumerable<string> trades) => $"{{\"channel\":\"trade\",\"type\":\"{type}\",\"data\":[{string.Join(',', trades)}]}}";

    /// <summary>The trade subscription <paramref name="message"/> asks for, or null with the one <paramref name="reply"/> to send (a pong or an error).</summary>
    public static TradeRequest? Parse(string message, out string? reply)
    {
        var request = JsonNode.Parse(message)!;
        var reqId = request["req_id"] is { } id ? $",\"req_id\":{id.ToJsonString()}" : string.Empty;
        var method = request["method"]?.GetValue<string>();
        var parameters = request["params"];
        reply = null;
        if (method == "ping")
        {
            reply = $"{{\"method\":\"pong\"{reqId},{Time}}}";
            return null;
        }

        if (method is not ("subscribe" or "unsubscribe") || parameters?["channel"]?.GetValue<string>() != "trade")
        {
            reply = $"{{\"error\":\"Unsupported request\",\"method\":\"{method}\",\"success\":false{reqId},{Time}}}";
            return null;
        }

        return new TradeRequest(method, parameters, reqId);
    }
}
