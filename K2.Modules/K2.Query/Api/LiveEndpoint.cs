using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using K2.Core.Trades;
using K2.Offload.Tables;
using K2.Query.Live;
using K2.Query.Reading;
using Microsoft.AspNetCore.Http;

namespace K2.Query.Api;

/// <summary>
/// <c>GET /v1/trades/live</c>: each normalized trade as it is ingested, one JSON object per WebSocket message or per
/// server-sent event. With <c>from=</c> the stored trades from then on are sent first (pages of the exactly-once read),
/// then the trades the hub held when the client joined and the new ones, minus those already sent: a trade at or above
/// the hub's first held offset that the replay sent is skipped by key, as is any repeat of a recently sent trade.
/// </summary>
internal static class LiveEndpoint
{
    private const int ReplayPageRows = 10_000;
    private const int RecentKeys = 100_000;

    private static readonly string[] Known = ["exchange", "symbol", "from"];

    public static async Task HandleAsync(HttpContext http, QueryContext context, LiveTradeHub hub, string? exchange, string? symbol, string? from)
    {
        RequestParameters.OnlyKnown(http.Request, Known);
        var venue = SymbolResolver.ParseExchange(exchange);
        var resolved = context.Symbols.Resolve(symbol, venue);
        var now = context.NowMicros;
        var fromMicros = TimeParameter.Parse("from", from);
        if (fromMicros is { } start && (start > now || now - start > context.Options.LiveReplayMaxHours * 3_600_000_000L))
        {
            throw new BadParameterException("from", $"must lie within the last {context.Options.LiveReplayMaxHours} hours (Modules:Query:LiveReplayMaxHours) and not in the future; for older trades use /v1/trades");
        }

        var venues = resolved.Exchanges.Select(e => e.ToWire()).ToHashSet(StringComparer.Ordinal);
        bool Wanted(LiveTrade t) => t.CanonicalSymbol == resolved.Canonical && venues.Contains(t.Exchange) && (fromMicros is null || t.ExchangeTsMicros >= fromMicros);

        var (subscription, held) = await hub.SubscribeAsync(Wanted, context.Options.LiveMaxQueuedTrades, http.RequestAborted).ConfigureAwait(false);
        using (subscription)
        {
            await using var client = await LiveClient.AcceptAsync(http).ConfigureAwait(false);
            var sent = new SentKeys(RecentKeys);
            if (fromMicros is { } replayFrom)
            {
                await ReplayAsync(context, client, resolved, replayFrom, subscription.HeldFrom, sent, http.RequestAborted).ConfigureAwait(false);
            }

            foreach (var trade in held) { await SendLiveAsync(client, trade, sent, http.RequestAborted).ConfigureAwait(false); }
            try
            {
                await foreach (var trade in subscription.Trades.ReadAllAsync(http.RequestAborted).ConfigureAwait(false))
                {
                    await SendLiveAsync(client, trade, sent, http.RequestAborted).ConfigureAwait(false);
                }
            }
            catch (IOException ex)
            {
                QueryMetrics.LiveDisconnects.WithLabels("error").Inc();
                Log.LiveDisconnected(context.Logger, ex.Message);
                await client.CloseAsync("the live trade source stopped; reconnect with from= set to the last trade's exchange_ts").ConfigureAwait(false);
                return;
            }

            if (subscription.Overflowed)
            {
                QueryMetrics.LiveDisconnects.WithLabels("slow").Inc();
                Log.LiveDisconnected(context.Logger, "its queue of trades was full");
                await client.CloseAsync($"too slow: more than {context.Options.LiveMaxQueuedTrades} trades waited (Modules:Query:LiveMaxQueuedTrades); reconnect with from= set to the last trade's exchange_ts").ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stored trades from <paramref name="from"/> on, page by page; the keys of those the hub may also hold are remembered.</summary>
    private static async Task ReplayAsync(QueryContext context, LiveClient client, ResolvedSymbol symbol, long from, IReadOnlyDictionary<string, long> heldFrom,
        SentKeys sent, CancellationToken cancellationToken)
    {
        var to = context.NowMicros + 86_400_000_000L;
        var pin = await context.Pins.PinAsync(ColdTables.Silver, null, cancellationToken).ConfigureAwait(false);
        TradeKey? after = null;
        while (true)
        {
            var parameters = new Dictionary<string, string>();
            var selection = new TradeSelection(symbol, from, to, after, Limit: ReplayPageRows);
            var sql = TradeSql.Select(context.Database, pin, selection, TradeSql.ProjectionWithPosition, parameters, context.Options.QueryTimeoutSeconds) + TradesEndpoint.Settings(OutputFormat.Ndjson);
            var page = new List<(LiveTrade Trade, string Tier)>(ReplayPageRows);

            // A page is read whole before it is sent, so a slow client never holds the engine.
            await using (var rows = await context.Gateway.QueryStreamAsync(sql, OutputFormat.Ndjson.ClickHouseFormat, parameters, cancellationToken).ConfigureAwait(false))
            using (var reader = new StreamReader(rows, Encoding.UTF8))
            {
                while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                {
                    if (line.Length > 0) { page.Add(LiveTrade.FromRow(Encoding.UTF8.GetBytes(line))); }
                }
            }

            foreach (var (trade, tier) in page)
            {
                if (trade.Offset >= heldFrom.GetValueOrDefault($"{trade.Topic}/{trade.Partition}", long.MaxValue)) { sent.Pin(trade.Key); }
                else { sent.Add(trade.Key); }
                await client.SendAsync(trade.ToJson(tier), cancellationToken).ConfigureAwait(false);
            }

            QueryMetrics.Rows.WithLabels("live", "hot").Inc(page.Count(p => p.Tier == "hot"));
            QueryMetrics.Rows.WithLabels("live", "cold").Inc(page.Count(p => p.Tier == "cold"));
            if (page.Count < ReplayPageRows) { return; }
            var last = page[^1].Trade;
            after = new TradeKey(last.ExchangeTsMicros, last.Exchange, last.TradeId);
        }
    }

    private static async Task SendLiveAsync(LiveClient client, LiveTrade trade, SentKeys sent, CancellationToken cancellationToken)
    {
        if (!sent.Add(trade.Key)) { return; }
        await client.SendAsync(trade.ToJson("live"), cancellationToken).ConfigureAwait(false);
        QueryMetrics.Rows.WithLabels("live", "live").Inc();
    }
}

/// <summary>
/// Keys of trades already sent: the most recent ones (a trade published again at a new offset repeats a recent one), and,
/// kept for the whole connection, replayed trades the hub also holds.
/// </summary>
internal sealed class SentKeys(int capacity)
{
    private readonly HashSet<(string, string, string)> _pinned = [];
    private readonly HashSet<(string, string, string)> _recent = [];
    private readonly Queue<(string, string, string)> _order = new();

    public void Pin((string, string, string) key) => _pinned.Add(key);

    /// <summary>False when the key was sent already.</summary>
    public bool Add((string, string, string) key)
    {
        if (_pinned.Contains(key) || !_recent.Add(key)) { return false; }
        _order.Enqueue(key);
        if (_order.Count > capacity) { _recent.Remove(_order.Dequeue()); }
        return true;
    }
}

/// <summary>The client end of the live stream: a WebSocket when the request asks to upgrade, server-sent events otherwise.</summary>
internal sealed class LiveClient : IAsyncDisposable
{
    private readonly HttpContext _http;
    private readonly WebSocket? _socket;

    private LiveClient(HttpContext http, WebSocket? socket)
    {
        _http = http;
        _socket = socket;
    }

    public static async Task<LiveClient> AcceptAsync(HttpContext http)
    {
        if (http.WebSockets.IsWebSocketRequest) { return new LiveClient(http, await http.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false)); }
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
        return new LiveClient(http, null);
    }

    public async Task SendAsync(byte[] json, CancellationToken cancellationToken)
    {
        if (_socket is not null)
        {
            await _socket.SendAsync(json, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            return;
        }

        var body = _http.Response.BodyWriter;
        body.Write("data: "u8);
        body.Write(json);
        body.Write("\n\n"u8);
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task CloseAsync(string reason)
    {
        if (_socket is { State: WebSocketState.Open })
        {
            await _socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, reason.Length > 120 ? reason[..120] : reason, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        if (_socket is null)
        {
            await _http.Response.BodyWriter.WriteAsync(Encoding.UTF8.GetBytes($"event: error\ndata: {reason}\n\n")).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket is { State: WebSocketState.Open })
        {
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (WebSocketException)
            {
            }
        }

        _socket?.Dispose();
    }
}
