using System.Collections.Concurrent;
using K2.Core.Time;
using K2.Kafka.Native;

namespace K2.Kafka.Publishing;

/// <summary>
/// Delivery accounting: the records handed to the producer and not yet acknowledged, when the brokers last
/// acknowledged, what they acknowledged (counters and the receive→ack histogram) and what came back failed or purged.
/// <see cref="OnDelivered"/> runs on the producer's delivery thread once per batch of reports, so it counts and hands
/// over only; the pump sets failures aside on its own thread.
/// </summary>
internal sealed class DeliveryTracker
{
    /// <summary>Acknowledgements this recent mean the brokers keep up; older ones, that they are down or stuck.</summary>
    private const long AckStallMs = 1000;

    /// <summary>Longest wait for room before looking again whether the brokers still acknowledge.</summary>
    private static readonly TimeSpan RoomRecheck = TimeSpan.FromMilliseconds(50);
    private static readonly Prometheus.Counter.Child[] AckedByKind = [.. KindLabels().Select(k => KafkaMetrics.Acked.WithLabels(k))];
    private static readonly Prometheus.Counter.Child[] FailedByKind = [.. KindLabels().Select(k => KafkaMetrics.Failed.WithLabels(k))];

    private readonly TimeProvider _clock;
    private readonly long _window;
    private readonly long _maxInFlight;
    private readonly long _wakeBelow;
    private readonly ConcurrentQueue<(OutboundRecord Record, string Reason)> _failed = new();
    private readonly List<OutboundRecord> _purged = [];
    private long _inFlight;
    private long _lastDeliveryTicks = long.MinValue / 2;
    private TaskCompletionSource? _roomWaiter;

    public DeliveryTracker(KafkaProducerOptions options, TimeProvider clock)
    {
        _clock = clock;
        _window = Math.Min(options.AckWindow, options.MaxInFlight);
        _maxInFlight = options.MaxInFlight;
        _wakeBelow = _window * 3 / 4;
    }

    /// <summary>Records handed to the producer and not yet acknowledged, failed or purged.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    public long MaxInFlight => _maxInFlight;

    private bool BrokersAcknowledging => Environment.TickCount64 - Volatile.Read(ref _lastDeliveryTicks) < AckStallMs;

    /// <summary>Counts a record handed to the producer; <see cref="Withdrawn"/> undoes it when the producer refused it.</summary>
    public void Handed() => Interlocked.Increment(ref _inFlight);

    public void Withdrawn() => Interlocked.Decrement(ref _inFlight);

    /// <summary>
    /// How many more records the producer may take now: up to the ack window while the brokers keep
    /// acknowledging (the producer's buffer stays small and hot in cache; ingest waits on the queue
    /// instead), up to MaxInFlight when they do not (the rest then goes to the spool).
    /// </summary>
    public long Room()
    {
        var inFlight = Interlocked.Read(ref _inFlight);
        // Within the window the brokers' state does not matter (and reading the clock per record costs).
        return inFlight < _window ? _window - inFlight : (BrokersAcknowledging ? _window : _maxInFlight) - inFlight;
    }

    /// <summary>Waits until the producer has room (woken by the next delivery batch) or <paramref name="canSend"/> says it cannot send at all.</summary>
    public async ValueTask WaitForRoomAsync(Func<bool> canSend)
    {
        while (Room() <= 0 && canSend())
        {
            var room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _roomWaiter, room);
            // A delivery batch that came between the check above and publishing the waiter woke nobody.
            if (Room() > 0) { break; }
            await room.Task.WaitAsync(RoomRecheck).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Runs on the producer's delivery thread, once per batch of reports: count and hand over only.</summary>
    public void OnDelivered(ReadOnlySpan<Delivery<OutboundRecord>> deliveries)
    {
        Volatile.Write(ref _lastDeliveryTicks, Environment.TickCount64);
        var now = UnixMicros.Now(_clock);
        Span<int> acked = stackalloc int[AckedByKind.Length];
        foreach (var (record, error) in deliveries)
        {
            if (error == 0)
            {
                acked[(int)record.Kind]++;
                if (record.Kind == RecordKind.Trade) { KafkaMetrics.ReceiveToAck.Observe((now - record.ReceiveTimestampUs) / 1e6); }
                record.Batch?.MarkDone(record.BatchIndex);
            }
            else if (error is RdKafkaNative.ErrorPurgeQueue or RdKafkaNative.ErrorPurgeInFlight)
            {
                lock (_purged) { _purged.Add(record); }
            }
            else
            {
                Failed(record, RdKafkaNative.ErrorText(error));
            }
        }

        for (var kind = 0; kind < acked.Length; kind++)
        {
            if (acked[kind] > 0) { AckedByKind[kind].Inc(acked[kind]); }
        }

        // Wake a pump waiting for room once a quarter of the window is free, not on every batch.
        var inFlight = Interlocked.Add(ref _inFlight, -deliveries.Length);
        if (inFlight <= _wakeBelow) { Interlocked.Exchange(ref _roomWaiter, null)?.TrySetResult(); }
    }

    /// <summary>A record the brokers or the producer rejected for good: counted, and set aside by the pump.</summary>
    public void Failed(OutboundRecord record, string reason)
    {
        FailedByKind[(int)record.Kind].Inc();
        _failed.Enqueue((record, reason));
        record.Batch?.MarkDone(record.BatchIndex);
    }

    public bool TryTakeFailure(out (OutboundRecord Record, string Reason) failure) => _failed.TryDequeue(out failure);

    /// <summary>The live records purged from the producer at shutdown, in the order they were handed to it (replayed ones are still in the spool).</summary>
    public List<OutboundRecord> PurgedLiveRecords()
    {
        lock (_purged) { return [.. _purged.Where(r => r.Batch is null).OrderBy(r => r.Sequence)]; }
    }

    /// <summary>Label values indexed by <see cref="RecordKind"/> (index 0 unused).</summary>
    private static IEnumerable<string> KindLabels() => Enumerable.Range(0, 4).Select(k => KindLabel((RecordKind)k));

    public static string KindLabel(RecordKind kind) => kind switch
    {
        RecordKind.Trade => "trade",
        RecordKind.Raw => "raw",
        _ => "dead_letter",
    };
}
