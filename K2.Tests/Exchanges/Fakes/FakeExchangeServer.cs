using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using K2.Bench;
using K2.Tests.Support;

namespace K2.Tests.Exchanges.Fakes;

/// <summary>
/// A local exchange on 127.0.0.1 (Kestrel + WebSockets + REST) that replays a fixture as its timeline:
/// each fixture frame is published once, to every connection subscribed to its symbols, in order.
/// The fixture's opening frames (status, acks, snapshots) serve the first connection; later connections get
/// acks and snapshots the subclass builds from the trades published so far. Faults are scheduled by frame index.
/// A <see cref="Live"/> exchange keeps trading instead: frames appended to its timeline (<see cref="Append"/>) are
/// published at once, to whoever listens, and go into its REST history whether anyone listens or not. The REST
/// endpoints page as the real ones do (at most 1000 trades an answer) and can be told to rate-limit.
/// </summary>
internal abstract class FakeExchangeServer : IAsyncDisposable
{
    /// <summary>Most trades one REST answer holds, as on the real exchanges.</summary>
    protected const int MaxRestTrades = 1000;

    private readonly ConcurrentDictionary<FakeConnection, bool> _connections = new();
    private readonly Dictionary<int, List<Func<Task>>> _faults = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _timeline = [];
    private readonly List<FakeTrade> _trades = [];
    private readonly Lock _timelineGate = new();
    private readonly SemaphoreSlim _appended = new(0);
    private WebApplication? _app;
    private Task? _pump;
    private int _connectionCount;
    private int _cursor;
    private bool _live;
    private int _restRequests;
    private bool _refusing;
    private int _rateLimitEvery;
    private int _retryAfterSeconds;
    private readonly SemaphoreSlim _subscribed = new(0);

    protected FakeExchangeServer(IReadOnlyList<string> timeline) => Append(timeline);

    /// <summary>The frames to publish, in order (a copy).</summary>
    public IReadOnlyList<string> Timeline
    {
        get { lock (_timelineGate) { return _timeline.ToArray(); } }
    }

    /// <summary>Every trade of the timeline, published or not (a copy).</summary>
    public IReadOnlyList<FakeTrade> Trades
    {
        get { lock (_timelineGate) { return _trades.ToArray(); } }
    }

    /// <summary>Keeps trading: publishes appended frames as they come, without waiting for listeners, and never finishes.</summary>
    public bool Live { get; init; }

    /// <summary>Frames published so far.</summary>
    public int Published => Volatile.Read(ref _cursor);

    /// <summary>Symbols the exchange lists besides those its timeline trades (a live exchange's, before it trades them).</summary>
    public IReadOnlySet<string> Listed { get; init; } = new HashSet<string>();

    /// <summary>WebSocket connections are refused (503) while set, as an exchange that is unreachable.</summary>
    public bool RefuseConnections
    {
        get => Volatile.Read(ref _refusing);
        set => Volatile.Write(ref _refusing, value);
    }

    /// <summary>Every REST request: when it arrived, its path and query, the status answered.</summary>
    public ConcurrentQueue<(DateTime AtUtc, string Request, int Status)> RestRequests { get; } = new();

    public Uri BaseUrl { get; private set; } = null!;

    public Uri WebSocketUrl => new($"ws://{BaseUrl.Authority}{WebSocketPath}");

    public int ConnectionsAccepted => _connectionCount;

    /// <summary>How many client messages the server received (subscribes, pings).</summary>
    public ConcurrentQueue<string> ClientMessages { get; } = new();

    /// <summary>Completes when the whole timeline has been published.</summary>
    public Task Finished => _finished.Task;

    /// <summary>
    /// Before publishing a trade frame, wait until some connection subscribed to its symbols (true, the default), so a
    /// client's later connections do not miss the start of the timeline; false publishes to whoever listens.
    /// </summary>
    public bool WaitForSubscribers { get; set; } = true;

    /// <summary>Gap between heartbeats on idle subscribed connections (none when null).</summary>
    public TimeSpan? HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Trades per symbol in the snapshot a re-subscribing connection gets (exchanges that send one); 0 sends an empty one.</summary>
    public int SnapshotTrades { get; set; } = 50;

    /// <summary>Rows the REST endpoint sends instead of the real ones, by (symbol, trade id).</summary>
    private readonly ConcurrentDictionary<(string Symbol, long Id), string> _restRows = new();

    protected abstract string WebSocketPath { get; }

    /// <summary>Trades published so far (the exchange's history, for snapshots and REST).</summary>
    protected IEnumerable<FakeTrade> History
    {
        get
        {
            var published = Volatile.Read(ref _cursor);
            return Trades.Where(t => t.FrameIndex < published);
        }
    }

    private int TimelineCount
    {
        get { lock (_timelineGate) { return _timeline.Count; } }
    }

    private string FrameAt(int index)
    {
        lock (_timelineGate) { return _timeline[index]; }
    }

    /// <summary>
    /// Drops every connection (TCP reset) just before frame <paramref name="index"/>, once <paramref name="clientCaughtUp"/>
    /// completes (a reset discards what the client has not read yet); the next <paramref name="missed"/> frames happen while nobody listens.
    /// </summary>
    public void DropAt(int index, int missed, Func<Task> clientCaughtUp) => At(index, async () =>
    {
        await clientCaughtUp();
        foreach (var c in _connections.Keys) { c.Abort(); }
        _connections.Clear();
        for (var i = 0; i < missed; i++) { Interlocked.Increment(ref _cursor); }
    });

    /// <summary>Adds frames to the end of the timeline.</summary>
    public void Append(IEnumerable<string> frames)
    {
        lock (_timelineGate)
        {
            foreach (var frame in frames)
            {
                _trades.AddRange(TradesOf(_timeline.Count, frame));
                _timeline.Add(frame);
            }
        }

        _appended.Release();
    }

    /// <summary>Waits until every frame appended so far has been published.</summary>
    public Task WaitUntilPublishedAsync() =>
        Eventually.Holds(() => Published == TimelineCount, TimeSpan.FromSeconds(30), () => $"the fake exchange published its {TimelineCount} frames (has {Published})");

    /// <summary>Waits until a connection is subscribed to every one of <paramref name="symbols"/>.</summary>
    public Task WaitForSubscriberAsync(IReadOnlyCollection<string> symbols) =>
        Eventually.Holds(() => _connections.Keys.Any(c => c.IsSubscribed && c.IsOpen && symbols.All(c.Symbols.Contains)), TimeSpan.FromSeconds(30), $"a client subscribed to {string.Join(", ", symbols)}");

    /// <summary>Resets every connection (TCP reset) and refuses new ones until <see cref="RefuseConnections"/> is cleared.</summary>
    public void CutOff()
    {
        RefuseConnections = true;
        foreach (var c in _connections.Keys) { c.Abort(); }
        _connections.Clear();
    }

    /// <summary>Answers every <paramref name="every"/>-th REST request with 429 Too Many Requests and <c>Retry-After: <paramref name="retryAfterSeconds"/></c>.</summary>
    public void RateLimitEvery(int every, int retryAfterSeconds)
    {
        _retryAfterSeconds = retryAfterSeconds;
        _rateLimitEvery = every;
    }

    /// <summary>A frame of one trade in the exchange's wire format, for a live timeline.</summary>
    /// <param name="takerBuys">The taker's side (each exchange spells it its own way).</param>
    public abstract string TradeFrame(string symbol, long id, decimal price, decimal quantity, long timeUs, bool takerBuys);

    /// <summary>The REST endpoint answers with <paramref name="row"/> in place of trade <paramref name="id"/> of <paramref name="symbol"/>.</summary>
    public void ServeRestRow(string symbol, long id, string row) => _restRows[(symbol, id)] = row;

    /// <summary>Stops sending anything (heartbeats included) to the current connections from frame <paramref name="index"/>.</summary>
    public void StallAt(int index) => At(index, () =>
    {
        foreach (var c in _connections.Keys) { c.Stalled = true; }
        return Task.CompletedTask;
    });

    /// <summary>Sends <paramref name="frame"/> to every subscribed connection just before frame <paramref name="index"/>.</summary>
    public void InjectAt(int index, string frame) => At(index, async () =>
    {
        await WaitForListenerAsync();
        await Broadcast(frame, force: true);
    });

    /// <summary>Counts a message on every connection without sending it (a per-connection sequence number goes missing).</summary>
    public void LoseMessageAt(int index) => At(index, () =>
    {
        foreach (var c in _connections.Keys) { c.NextSequence++; }
        return Task.CompletedTask;
    });

    /// <summary>Closes every connection with a policy-violation close (Binance's answer to too many messages), missing nothing.</summary>
    public void RateLimitCloseAt(int index) => At(index, async () =>
    {
        foreach (var c in _connections.Keys)
        {
            _connections.TryRemove(c, out _);
            await c.CloseAsync(WebSocketCloseStatus.PolicyViolation, "Too many requests");
        }
    });

    /// <summary>
    /// Announces a shutdown before frame <paramref name="index"/>, then keeps publishing without waiting for anyone
    /// and closes the announced connections after <paramref name="closeAfterFrames"/> more frames.
    /// </summary>
    public void ServerShutdownAt(int index, string announcement, int closeAfterFrames) => At(index, async () =>
    {
        var doomed = _connections.Keys.ToArray();
        foreach (var c in doomed)
        {
            c.Doomed = true;
            await c.SendAsync(announcement);
        }

        _live = true;
        At(index + closeAfterFrames, async () =>
        {
            foreach (var c in doomed)
            {
                _connections.TryRemove(c, out _);
                await c.CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "server shutdown");
            }
        });
    });

    public async Task StartAsync()
    {
        (_app, BaseUrl) = await LoopbackWebApp.StartAsync(app =>
        {
            app.Use(CountRestAsync);
            app.Map(WebSocketPath, AcceptAsync);
            MapRest(app);
        });
        _pump = Task.Run(PumpAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var c in _connections.Keys) { c.Abort(); }
        if (_pump is not null) { await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); }
        if (_app is not null) { await _app.DisposeAsync(); }
        _stop.Dispose();
    }

    protected abstract void MapRest(WebApplication app);

    /// <summary>The symbols a connection asked for in its URL (Binance combined streams).</summary>
    protected virtual IReadOnlySet<string> SymbolsFromUrl(HttpContext context) => new HashSet<string>();

    /// <summary>Frames to send on connect before anything else (e.g. Kraken's status after a reconnect).</summary>
    protected virtual IEnumerable<string> OnConnect(FakeConnection connection) => [];

    /// <summary>Handles one client message; returns the frames to answer with.</summary>
    protected abstract IEnumerable<string> OnClientMessage(FakeConnection connection, string message);

    /// <summary>The exchange symbols a frame carries (empty for control frames).</summary>
    protected abstract IReadOnlyCollection<string> SymbolsOf(string frame);

    protected abstract IEnumerable<FakeTrade> TradesOf(int index, string frame);

    protected virtual string? Heartbeat => null;

    protected virtual string Stamp(FakeConnection connection, string frame) => frame;

    /// <summary>The REST row of <paramref name="trade"/>: <paramref name="row"/>, unless a test asked for another.</summary>
    protected string RestRow(FakeTrade trade, string row) => _restRows.TryGetValue((trade.Symbol, trade.Id), out var replaced) ? replaced : row;

    private void At(int index, Func<Task> fault)
    {
        lock (_faults)
        {
            if (!_faults.TryGetValue(index, out var list)) { _faults[index] = list = []; }
            list.Add(fault);
        }
    }

    private async Task CountRestAsync(HttpContext context, RequestDelegate next)
    {
        if (context.WebSockets.IsWebSocketRequest)
        {
            await next(context);
            return;
        }

        var at = DateTime.UtcNow;
        var request = $"{context.Request.Path}{context.Request.QueryString}";
        var every = Volatile.Read(ref _rateLimitEvery);
        if (every > 0 && Interlocked.Increment(ref _restRequests) % every == 0)
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = _retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            RestRequests.Enqueue((at, request, StatusCodes.Status429TooManyRequests));
            return;
        }

        // Logged as the answer starts, not after it was sent: a client that has read the answer may already have acted on
        // it (closed a gap) when a test reads the log.
        context.Response.OnStarting(() =>
        {
            RestRequests.Enqueue((at, request, context.Response.StatusCode));
            return Task.CompletedTask;
        });
        await next(context);
    }

    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest || RefuseConnections)
        {
            context.Response.StatusCode = RefuseConnections ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new FakeConnection(socket, Interlocked.Increment(ref _connectionCount), SymbolsFromUrl(context));
        foreach (var frame in OnConnect(connection)) { await connection.SendAsync(frame, Stamp); }
        _connections[connection] = true;

        // A connection accepted while the exchange was being cut off must not outlive the cut.
        if (RefuseConnections)
        {
            _connections.TryRemove(connection, out _);
            connection.Abort();
            return;
        }

        if (connection.IsSubscribed) { _subscribed.Release(); }
        var heartbeat = HeartbeatLoopAsync(connection);
        var buffer = new byte[64 * 1024];
        try
        {
            while (connection.IsOpen && !_stop.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close) { break; }
                var message = Encoding.UTF8.GetString(buffer, 0, result.Count);
                ClientMessages.Enqueue(message);
                var wasSubscribed = connection.IsSubscribed;
                foreach (var reply in OnClientMessage(connection, message).ToArray()) { await connection.SendAsync(reply, Stamp); }
                if (!wasSubscribed && connection.IsSubscribed) { _subscribed.Release(); }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            connection.Closed.TrySetResult();
            await heartbeat.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task HeartbeatLoopAsync(FakeConnection connection)
    {
        if (HeartbeatInterval is not { } interval || Heartbeat is not { } beat) { return; }
        while (!connection.Closed.Task.IsCompleted && !_stop.IsCancellationRequested)
        {
            await Task.WhenAny(connection.Closed.Task, Task.Delay(interval));
            if (connection.IsSubscribed && !connection.Stalled && DateTime.UtcNow - connection.LastSendUtc >= interval)
            {
                await connection.SendAsync(beat, Stamp);
            }
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (_cursor >= TimelineCount)
                {
                    if (!Live) { break; }
                    await _appended.WaitAsync(TimeSpan.FromMilliseconds(20), _stop.Token);
                    continue;
                }

                var index = _cursor;
                List<Func<Task>>? faults;
                lock (_faults) { _faults.Remove(index, out faults); }
                foreach (var fault in faults ?? []) { await fault(); }
                if (_cursor != index) { continue; }
                var frame = FrameAt(index);
                if (_live) { await Task.Delay(10, _stop.Token); }
                else if (!Live) { await WaitForListenerAsync(WaitForSubscribers ? SymbolsOf(frame) : []); }
                await Broadcast(frame, force: false);
                Interlocked.Increment(ref _cursor);
            }

            _finished.TrySetResult();
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            _finished.TrySetException(ex);
        }
    }

    private async Task WaitForListenerAsync(IReadOnlyCollection<string>? symbols = null)
    {
        while (!_connections.Keys.Any(c => c.IsSubscribed && !c.Stalled && !c.Doomed && c.IsOpen && (symbols is null || symbols.All(c.Symbols.Contains))))
        {
            await _subscribed.WaitAsync(TimeSpan.FromMilliseconds(20), _stop.Token);
        }
    }

    private async Task Broadcast(string frame, bool force)
    {
        var symbols = force ? [] : SymbolsOf(frame);
        foreach (var c in _connections.Keys.Where(c => c.IsSubscribed && !c.Stalled).OrderBy(c => c.Number))
        {
            if (force || symbols.Count == 0 || symbols.Any(c.Symbols.Contains)) { await c.SendAsync(frame, Stamp); }
        }
    }
}
