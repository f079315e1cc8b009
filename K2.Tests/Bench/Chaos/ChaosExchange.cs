using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using K2.Core.Trades;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace K2.Bench.Chaos;

/// <summary>
/// A local exchange on 127.0.0.1 for <c>k2 bench chaos</c>: WebSocket trades and REST history in the exchange's own
/// protocol (the subclasses), trading whether anyone listens or not, with the faults the bench schedules — connections
/// reset (some in the middle of a frame), a silent stall, REST answering 429 with <c>Retry-After</c>.
/// </summary>
internal abstract class ChaosExchange : IAsyncDisposable
{
    /// <summary>Most trades one REST answer holds, as on the real exchanges.</summary>
    protected const int MaxRestTrades = 1000;

    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<Connection, bool> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private WebApplication? _app;
    private Task? _heartbeats;
    private int _connectionCount;
    private int _restRequests;
    private int _rateLimitEvery;
    private long _stalledUntilTicks;
    private long _rateLimited;
    private long _restAnswered;
    private int _turn;

    protected ChaosExchange(Exchange exchange, IReadOnlyList<SymbolTape> tapes)
    {
        Exchange = exchange;
        Tapes = tapes.ToDictionary(t => t.Symbol, StringComparer.Ordinal);
    }

    public Exchange Exchange { get; }

    public IReadOnlyDictionary<string, SymbolTape> Tapes { get; }

    public Uri BaseUrl { get; private set; } = null!;

    public Uri WebSocketUrl => new($"ws://{BaseUrl.Authority}{WebSocketPath}");

    public int ConnectionsAccepted => Volatile.Read(ref _connectionCount);

    public long RestAnswered => Interlocked.Read(ref _restAnswered);

    public long RateLimited => Interlocked.Read(ref _rateLimited);

    public long Generated => Tapes.Values.Sum(t => (long)t.Count);

    /// <summary>Some connection is subscribed to every symbol.</summary>
    public bool Listened => _connections.Keys.Any(c => Tapes.Keys.All(c.SymbolSet.ContainsKey));

    protected abstract string WebSocketPath { get; }

    protected virtual string? Heartbeat => null;

    private bool Stalled => DateTime.UtcNow.Ticks < Interlocked.Read(ref _stalledUntilTicks);

    /// <summary>Answers every <paramref name="every"/>-th REST request with 429 and <c>Retry-After: 1</c>; 0 answers all.</summary>
    public void RateLimitEvery(int every) => Volatile.Write(ref _rateLimitEvery, every);

    /// <summary>Sends nothing at all — trades, heartbeats, answers — on any connection, old or new, for <paramref name="length"/>; trading goes on.</summary>
    public void Stall(TimeSpan length) => Interlocked.Exchange(ref _stalledUntilTicks, DateTime.UtcNow.Add(length).Ticks);

    /// <summary>Resets every connection; with <paramref name="midFrame"/>, after sending the first half of a trade frame.</summary>
    public async Task DropAsync(bool midFrame)
    {
        foreach (var connection in _connections.Keys)
        {
            _connections.TryRemove(connection, out _);
            if (midFrame && connection.Symbols.FirstOrDefault() is { } symbol && Tapes[symbol].Count > 0)
            {
                var newest = Tapes[symbol].FromId(Tapes[symbol].FirstId + Tapes[symbol].Count - 1, 1);
                var frame = Encoding.UTF8.GetBytes(Stamp(connection, Frames(newest)[0]));
                await connection.SendPartAsync(frame.AsMemory(0, frame.Length / 2));
            }

            connection.Abort();
        }
    }

    /// <summary>Makes <paramref name="count"/> trades at <paramref name="now"/>, the symbols in turn, and sends them to whoever listens.</summary>
    public async Task TradeAsync(int count, DateTimeOffset now)
    {
        var timeUs = now.ToUnixTimeMilliseconds() * 1000;
        var tapes = Tapes.Values.ToArray();
        var made = new Dictionary<string, List<ChaosTrade>>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var tape = tapes[_turn++ % tapes.Length];
            if (!made.TryGetValue(tape.Symbol, out var list)) { made[tape.Symbol] = list = []; }
            list.Add(tape.Make(timeUs));
        }

        if (Stalled) { return; }
        foreach (var (symbol, trades) in made)
        {
            var frames = Frames(trades);
            foreach (var connection in _connections.Keys.Where(c => c.IsSubscribed && c.Symbols.Contains(symbol)))
            {
                foreach (var frame in frames) { await connection.SendAsync(frame, Stamp); }
            }
        }
    }

    public async Task StartAsync()
    {
        (_app, BaseUrl) = await LoopbackWebApp.StartAsync(app =>
        {
            app.Use(RateLimitAsync);
            app.Map(WebSocketPath, AcceptAsync);
            MapRest(app);
        });
        _heartbeats = Task.Run(HeartbeatsAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var c in _connections.Keys) { c.Abort(); }
        if (_heartbeats is not null) { await _heartbeats.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); }
        if (_app is not null) { await _app.DisposeAsync(); }
        _stop.Dispose();
    }

    /// <summary>The frames carrying <paramref name="trades"/> (all of one symbol, oldest first).</summary>
    protected abstract IReadOnlyList<string> Frames(IReadOnlyList<ChaosTrade> trades);

    protected abstract void MapRest(WebApplication app);

    protected abstract IEnumerable<string> OnClientMessage(Connection connection, string message);

    protected virtual IEnumerable<string> OnConnect(Connection connection) => [];

    protected virtual IReadOnlySet<string> SymbolsFromUrl(HttpContext context) => new HashSet<string>();

    /// <summary>Per-connection touches to a frame about to be sent (sequence numbers, time units).</summary>
    protected virtual string Stamp(Connection connection, string frame) => frame;

    protected SymbolTape? Tape(string symbol) => Tapes.GetValueOrDefault(symbol);

    private async Task RateLimitAsync(HttpContext context, RequestDelegate next)
    {
        if (context.WebSockets.IsWebSocketRequest)
        {
            await next(context);
            return;
        }

        var every = Volatile.Read(ref _rateLimitEvery);
        if (every > 0 && Interlocked.Increment(ref _restRequests) % every == 0)
        {
            Interlocked.Increment(ref _rateLimited);
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = "1";
            return;
        }

        Interlocked.Increment(ref _restAnswered);
        await next(context);
    }

    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new Connection(socket, Interlocked.Increment(ref _connectionCount), SymbolsFromUrl(context));
        _connections[connection] = true;
        if (!Stalled)
        {
            foreach (var frame in OnConnect(connection)) { await connection.SendAsync(frame, Stamp); }
        }

        var buffer = new byte[64 * 1024];
        try
        {
            while (connection.IsOpen && !_stop.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close) { break; }
                var replies = OnClientMessage(connection, Encoding.UTF8.GetString(buffer, 0, result.Count)).ToArray();
                if (Stalled) { continue; }
                foreach (var reply in replies) { await connection.SendAsync(reply, Stamp); }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or System.Text.Json.JsonException)
        {
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            connection.Abort();
        }
    }

    private async Task HeartbeatsAsync()
    {
        if (Heartbeat is not { } beat) { return; }
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(HeartbeatInterval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (Stalled) { continue; }
            foreach (var c in _connections.Keys.Where(c => c.IsSubscribed && DateTime.UtcNow - c.LastSendUtc >= HeartbeatInterval))
            {
                await c.SendAsync(beat, Stamp);
            }
        }
    }

    /// <summary>One client connection: what it subscribed to and its per-connection counters.</summary>
    internal sealed class Connection(WebSocket socket, int number, IReadOnlySet<string> symbolsFromUrl)
    {
        private readonly SemaphoreSlim _sendLock = new(1, 1);

        public int Number { get; } = number;

        public ConcurrentDictionary<string, bool> SymbolSet { get; } = new(symbolsFromUrl.Select(s => KeyValuePair.Create(s, true)), StringComparer.Ordinal);

        public ICollection<string> Symbols => SymbolSet.Keys;

        public bool IsSubscribed => !SymbolSet.IsEmpty;

        public long NextSequence { get; set; }

        /// <summary>The client asked for µs timestamps (Binance <c>timeUnit=MICROSECOND</c>).</summary>
        public bool Microseconds { get; set; }

        public DateTime LastSendUtc { get; private set; } = DateTime.UtcNow;

        public bool IsOpen => socket.State == WebSocketState.Open;

        public async Task SendAsync(string frame, Func<Connection, string, string> stamp)
        {
            await _sendLock.WaitAsync();
            try
            {
                if (!IsOpen) { return; }
                await socket.SendAsync(Encoding.UTF8.GetBytes(stamp(this, frame)), WebSocketMessageType.Text, true, CancellationToken.None);
                LastSendUtc = DateTime.UtcNow;
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException or IOException)
            {
            }
            finally
            {
                _sendLock.Release();
            }
        }

        /// <summary>Sends part of a frame and leaves the message open (a reset follows).</summary>
        public async Task SendPartAsync(ReadOnlyMemory<byte> part)
        {
            await _sendLock.WaitAsync();
            try
            {
                if (IsOpen) { await socket.SendAsync(part, WebSocketMessageType.Text, false, CancellationToken.None); }
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException or IOException)
            {
            }
            finally
            {
                _sendLock.Release();
            }
        }

        public void Abort() => socket.Abort();
    }
}
