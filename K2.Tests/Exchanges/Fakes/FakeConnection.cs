using System.Net.WebSockets;
using System.Text;

namespace K2.Tests.Exchanges.Fakes;

/// <summary>One client connection of a fake exchange: what it subscribed to and its per-connection state.</summary>
internal sealed class FakeConnection(WebSocket socket, int number, IReadOnlySet<string> initialSymbols)
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public int Number { get; } = number;

    public HashSet<string> Symbols { get; } = new(initialSymbols, StringComparer.Ordinal);

    public bool IsSubscribed { get; set; } = initialSymbols.Count > 0;

    /// <summary>The server announced a shutdown to this connection and will close it.</summary>
    public bool Doomed { get; set; }

    /// <summary>The server stopped sending anything to this connection.</summary>
    public bool Stalled { get; set; }

    public long NextSequence { get; set; }

    /// <summary>The client asked for µs timestamps (Binance <c>timeUnit=MICROSECOND</c>).</summary>
    public bool Microseconds { get; set; }

    public DateTime LastSendUtc { get; private set; } = DateTime.UtcNow;

    public bool IsOpen => socket.State == WebSocketState.Open;

    public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Sends one text frame; <paramref name="stamp"/> runs under the send lock so per-connection counters stay in order.</summary>
    public async Task SendAsync(string frame, Func<FakeConnection, string, string>? stamp = null)
    {
        await _sendLock.WaitAsync();
        try
        {
            if (!IsOpen) { return; }
            var text = stamp is null ? frame : stamp(this, frame);
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
            LastSendUtc = DateTime.UtcNow;
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public void Abort()
    {
        socket.Abort();
        Closed.TrySetResult();
    }

    public async Task CloseAsync(WebSocketCloseStatus status, string description)
    {
        await _sendLock.WaitAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseOutputAsync(status, description, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            _sendLock.Release();
            Closed.TrySetResult();
        }
    }
}
