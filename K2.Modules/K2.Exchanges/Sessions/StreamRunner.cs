using K2.Exchanges.Parsing;

namespace K2.Exchanges.Sessions;

/// <summary>
/// Keeps one group of symbols streaming: reconnects with exponential backoff after any end, and rotates
/// without a gap when the exchange announces a shutdown or the connection reaches its maximum age: the new
/// connection is opened and receiving before the old one closes (the shared dedup drops the overlap).
/// Symbols can be added and removed while it runs without touching the other symbols' streams.
/// </summary>
internal sealed class StreamRunner(SessionContext context, IEnumerable<WireSymbol> symbols)
{
    private readonly Lock _gate = new();
    private readonly List<WireSymbol> _symbols = symbols.ToList();
    private readonly Backoff _backoff = new(TimeSpan.FromMilliseconds(context.Options.BackoffInitialMilliseconds), TimeSpan.FromMilliseconds(context.Options.BackoffMaxMilliseconds));
    private ExchangeConnection? _current;

    /// <summary>Local time of the last opened connection's first message, for readiness.</summary>
    public bool IsStreaming => _current?.FirstMessage.IsCompletedSuccessfully == true;

    public IReadOnlyList<WireSymbol> Symbols
    {
        get
        {
            lock (_gate) { return _symbols.ToArray(); }
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        while (connection is not null && !cancellationToken.IsCancellationRequested)
        {
            var run = connection.RunAsync(cancellationToken);
            using var ageLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task rotation = context.Protocol.MaxConnectionAge is { } age
                ? Task.WhenAny(connection.RotationRequested, Task.Delay(age, context.Clock, ageLimit.Token))
                : connection.RotationRequested;
            var first = await Task.WhenAny(run, rotation);
            await ageLimit.CancelAsync();
            if (first == run)
            {
                var reason = await EndReasonAsync(run, connection.Id);
                await connection.DisposeAsync();
                if (reason == ConnectionEnd.Shutdown || cancellationToken.IsCancellationRequested) { return; }
                ExchangeMetrics.Reconnects.WithLabels(context.Label, reason).Inc();
                var delay = _backoff.Next();
                Log.Reconnecting(context.Logger, context.Label, connection.Id, reason, (long)delay.TotalMilliseconds);
                await Task.Delay(delay, context.Clock, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                connection = await OpenAsync(cancellationToken);
                continue;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                await connection.DisposeAsync();
                return;
            }

            var why = connection.RotationRequested.IsCompletedSuccessfully ? connection.RotationRequested.Result : ConnectionEnd.Rotation;
            connection = await RotateAsync(connection, run, why, cancellationToken);
        }
    }

    /// <summary>A sink or pipeline failure ends the connection like a network error: logged, then a reconnect.</summary>
    private async Task<string> EndReasonAsync(Task<string> run, int connectionId)
    {
        try
        {
            return await run;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ConnectionFailed(context.Logger, context.Label, connectionId, ex);
            return ConnectionEnd.Error;
        }
    }

    /// <summary>Adds and removes symbols on the live connection (and in every later one).</summary>
    public async Task ChangeAsync(IReadOnlyList<WireSymbol> added, IReadOnlyList<WireSymbol> removed, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _symbols.RemoveAll(s => removed.Any(r => r.Wire == s.Wire));
            _symbols.AddRange(added);
        }

        if (_current is not { } connection) { return; }
        try
        {
            if (removed.Count > 0) { await connection.SendAsync(context.Protocol.Unsubscribe(removed), cancellationToken); }
            if (added.Count > 0) { await connection.SendAsync(context.Protocol.Subscribe(added), cancellationToken); }
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection is going away; the next one subscribes from the updated symbol list.
        }
    }

    private async Task<ExchangeConnection?> RotateAsync(ExchangeConnection old, Task<string> oldRun, string reason, CancellationToken cancellationToken)
    {
        Log.Rotating(context.Logger, context.Label, old.Id, reason);
        ExchangeMetrics.Reconnects.WithLabels(context.Label, reason).Inc();
        var next = await OpenAsync(cancellationToken);
        if (next is not null)
        {
            var started = next.FirstMessage.WaitAsync(TimeSpan.FromMilliseconds(context.Options.SilenceTimeoutMilliseconds), context.Clock, cancellationToken);
            await started.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Task.Delay(context.Protocol.RotationOverlap, context.Clock, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await old.CloseAsync();
        await ((Task)oldRun).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await old.DisposeAsync();
        return next;
    }

    /// <summary>Connects and subscribes, retrying with backoff; null only when shutting down.</summary>
    private async Task<ExchangeConnection?> OpenAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var connection = new ExchangeConnection(context);
            try
            {
                await connection.ConnectAsync(Symbols, cancellationToken);
                _current = connection;
                _ = connection.FirstMessage.ContinueWith(_ => _backoff.Reset(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                return connection;
            }
            catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or OperationCanceledException or System.Net.Http.HttpRequestException or IOException)
            {
                await connection.DisposeAsync();
                if (cancellationToken.IsCancellationRequested) { return null; }
                ExchangeMetrics.Reconnects.WithLabels(context.Label, ConnectionEnd.ConnectFailed).Inc();
                Log.ConnectFailed(context.Logger, context.Label, ex.Message);
                await Task.Delay(_backoff.Next(), context.Clock, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        return null;
    }
}
