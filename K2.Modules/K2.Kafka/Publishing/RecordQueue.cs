using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace K2.Kafka.Publishing;

/// <summary>
/// The bounded queue between the ingestors (many writers) and the pump (one reader). A bounded channel
/// wakes one waiting writer for every record taken from a full queue, which under saturation is one
/// thread-pool hop per record; here writers waiting on a full queue are released together once it has
/// drained to half, so they then write thousands of records without waiting.
/// </summary>
internal sealed class RecordQueue(int capacity)
{
    private readonly Queue<OutboundRecord> _records = new(capacity);
    private readonly Lock _gate = new();
    private TaskCompletionSource? _roomWaiters;
    private TaskCompletionSource? _recordsWaiter;
    private bool _closed;
    private Exception? _closedBy;
    private volatile int _count;

    public int Count => _count;

    /// <summary>Closed and empty: nothing more will come.</summary>
    public bool IsCompleted
    {
        get
        {
            lock (_gate) { return _closed && _records.Count == 0; }
        }
    }

    /// <summary>Queues the record, waiting while the queue is full; throws once the queue is closed.</summary>
    public ValueTask WriteAsync(OutboundRecord record, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (TryEnqueue(record)) { return ValueTask.CompletedTask; }
        }

        return WriteWhenRoomAsync(record, cancellationToken);
    }

    private async ValueTask WriteWhenRoomAsync(OutboundRecord record, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task room;
            lock (_gate)
            {
                if (TryEnqueue(record)) { return; }
                room = (_roomWaiters ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }

            await room.WaitAsync(cancellationToken);
        }
    }

    private bool TryEnqueue(OutboundRecord record)
    {
        if (_closed) { throw new ChannelClosedException(_closedBy); }
        if (_records.Count >= capacity) { return false; }
        _records.Enqueue(record);
        _count = _records.Count;
        Release(ref _recordsWaiter);
        return true;
    }

    public bool TryRead([MaybeNullWhen(false)] out OutboundRecord record)
    {
        lock (_gate)
        {
            if (!_records.TryDequeue(out record)) { return false; }
            _count = _records.Count;
            if (_records.Count <= capacity / 2) { Release(ref _roomWaiters); }
            return true;
        }
    }

    /// <summary>Returns when a record can be read, the queue is closed, or <paramref name="timeout"/> has passed.</summary>
    public async Task WaitToReadAsync(TimeSpan timeout)
    {
        Task available;
        lock (_gate)
        {
            if (_records.Count > 0 || _closed) { return; }
            available = (_recordsWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }

        await available.WaitAsync(timeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Closes the queue: writers get a <see cref="ChannelClosedException"/> (carrying <paramref name="error"/>); what is queued can still be read.</summary>
    public void Close(Exception? error = null)
    {
        lock (_gate)
        {
            if (_closed) { return; }
            _closed = true;
            _closedBy = error;
            Release(ref _roomWaiters);
            Release(ref _recordsWaiter);
        }
    }

    private static void Release(ref TaskCompletionSource? waiters)
    {
        if (waiters is null) { return; }
        waiters.TrySetResult();
        waiters = null;
    }
}
