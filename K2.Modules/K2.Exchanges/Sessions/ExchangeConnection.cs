using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using K2.Core.Time;
using K2.Core.Trades;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;

namespace K2.Exchanges.Sessions;

/// <summary>
/// One WebSocket connection: connect, subscribe, then a receive loop over one pooled buffer that grows
/// only to reassemble multi-frame messages (up to <see cref="ExchangeOptions.MaxMessageBytes"/>). A
/// data-silence watchdog aborts the socket when no message arrives in time. Every message goes through
/// the exchange's shared pipeline; rejects go to the dead-letter sink and never stop the loop.
/// </summary>
internal sealed class ExchangeConnection : IAsyncDisposable
{
    private static int _nextId;
    private readonly SessionContext _context;
    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource _firstMessage = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _rotationRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long? _lastSequence;

    public ExchangeConnection(SessionContext context)
    {
        _context = context;
        Id = Interlocked.Increment(ref _nextId);
        _socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(20);
    }

    public int Id { get; }

    /// <summary>Completes when the first message arrives (the subscription is live).</summary>
    public Task FirstMessage => _firstMessage.Task;

    /// <summary>Completes when the exchange announces it will close this connection.</summary>
    public Task<string> RotationRequested => _rotationRequested.Task;

    public async Task ConnectAsync(IReadOnlyList<WireSymbol> symbols, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_context.Options.ConnectTimeoutMilliseconds);
        var uri = _context.Protocol.ConnectUri(_context.Options.WebSocketUrl, symbols);
        await _socket.ConnectAsync(uri, timeout.Token);
        await SendAsync(_context.Protocol.InitialSubscribe(symbols), timeout.Token);
        Log.Connected(_context.Logger, _context.Label, Id, uri.Host, symbols.Count);
    }

    public Task SendAsync(IReadOnlyList<string> messages, CancellationToken cancellationToken) => SendCoreAsync(messages, cancellationToken);

    /// <summary>Receives until the connection ends; returns why (a <see cref="ConnectionEnd"/> value).</summary>
    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
        var keepAlive = _context.Protocol.KeepAlive is { } ping ? KeepAliveAsync(ping.Message, ping.Interval, linked.Token) : Task.CompletedTask;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var unique = new List<NormalizedTrade>();
        ExchangeMetrics.Connected.WithLabels(_context.Label).Inc();
        try
        {
            while (true)
            {
                silence.CancelAfter(_context.Options.SilenceTimeoutMilliseconds);
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        if (buffer.Length >= _context.Options.MaxMessageBytes) { return ConnectionEnd.Oversize; }
                        buffer = Grow(buffer, length);
                    }

                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), silence.Token);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close) { return ConnectionEnd.ClosedByServer; }

                // The watchdog measures the exchange's silence, not time spent waiting on a full sink.
                silence.CancelAfter(Timeout.Infinite);
                var end = await HandleAsync(buffer.AsMemory(0, length), unique, linked.Token);
                if (end is not null) { return end; }
            }
        }
        catch (OperationCanceledException)
        {
            return cancellationToken.IsCancellationRequested || _stop.IsCancellationRequested ? ConnectionEnd.Shutdown : ConnectionEnd.Silence;
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            return ConnectionEnd.Error;
        }
        finally
        {
            ExchangeMetrics.Connected.WithLabels(_context.Label).Dec();
            ArrayPool<byte>.Shared.Return(buffer);
            await _stop.CancelAsync();
            await keepAlive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Ends the receive loop and closes the socket politely (bounded wait).</summary>
    public async Task CloseAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closing", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        await _stop.CancelAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        _socket.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
    }

    private async ValueTask<string?> HandleAsync(ReadOnlyMemory<byte> message, List<NormalizedTrade> unique, CancellationToken cancellationToken)
    {
        _firstMessage.TrySetResult();
        var receivedUs = UnixMicros.Now(_context.Clock);
        var outcome = await FrameDispatch.DispatchAsync(_context.Pipeline, _context.Sink, _context.DeadLetters, _context.Logger, message, receivedUs, unique, cancellationToken);
        if (outcome.Kind == FrameKind.ServerShutdown) { _rotationRequested.TrySetResult(ConnectionEnd.ServerShutdown); }

        return _context.Protocol.TracksSequence && outcome.SequenceNumber is { } sequence ? CheckSequence(sequence) : null;
    }

    private string? CheckSequence(long sequence)
    {
        var previous = _lastSequence;
        _lastSequence = sequence;
        if (previous is not { } last || sequence == last + 1) { return null; }
        var missing = sequence - last - 1;
        ExchangeMetrics.SequenceDrops.WithLabels(_context.Label).Inc(Math.Max(missing, 1));
        Log.SequenceDrop(_context.Logger, _context.Label, last, sequence, missing);
        return ConnectionEnd.SequenceGap;
    }

    private async Task KeepAliveAsync(string message, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, _context.Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken)) { await SendCoreAsync([message], cancellationToken); }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    private async Task SendCoreAsync(IReadOnlyList<string> messages, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            for (var i = 0; i < messages.Count; i++)
            {
                if (i > 0) { await Task.Delay(_context.Protocol.MessageSpacing, _context.Clock, cancellationToken); }
                await _socket.SendAsync(Encoding.UTF8.GetBytes(messages[i]), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private static byte[] Grow(byte[] buffer, int used)
    {
        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        buffer.AsSpan(0, used).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }
}
