using System.Runtime.InteropServices;
using static K2.Kafka.Native.RdKafkaNative;

namespace K2.Kafka.Native;

/// <summary>The outcome of one produced message: the state given to <see cref="NativeProducer{TState}.Produce"/> and the librdkafka error (0 when acknowledged).</summary>
internal readonly record struct Delivery<TState>(TState State, int Error);

internal delegate void DeliveryHandler<TState>(ReadOnlySpan<Delivery<TState>> deliveries);

/// <summary>
/// A librdkafka producer driven directly instead of through Confluent.Kafka's <c>Produce</c>, which
/// builds a header list, a delivery closure and a GC handle per message and calls back into .NET
/// once per delivery. Here a message is one <c>rd_kafka_produceva</c> call (topic handle, key, value,
/// headers and a handle to its state, copied by librdkafka), and delivery reports arrive as batches
/// (<c>RD_KAFKA_EVENT_DR</c>) that one thread takes from the main queue and hands over together.
/// Configured from the same key/value settings as any Confluent client, so SASL/TLS apply unchanged.
/// </summary>
internal sealed unsafe class NativeProducer<TState> : IDisposable where TState : class
{
    private const int ReportBatch = 1024;
    private const int PollTimeoutMs = 100;
    private const int MaxVus = 9;
    private const int LogWarning = 4;

    /// <summary>An empty value or header must reach Kafka as empty, not null: librdkafka takes a null pointer as null.</summary>
    private static readonly byte* EmptyBytes = (byte*)NativeMemory.AllocZeroed(1);

    private readonly IntPtr _handle;
    private readonly IntPtr _queue;
    private readonly Dictionary<string, IntPtr> _topics = new(StringComparer.Ordinal);
    private readonly DeliveryHandler<TState> _onDelivered;
    private readonly Action<string> _onClientError;
    private readonly Thread _poller;
    private volatile bool _stopping;
    private bool _disposed;

    public NativeProducer(IEnumerable<KeyValuePair<string, string>> settings, DeliveryHandler<TState> onDelivered, Action<string> onClientError)
    {
        _onDelivered = onDelivered;
        _onClientError = onClientError;
        var error = new byte[512];
        var conf = ConfNew();
        try
        {
            foreach (var (key, value) in settings.Append(new("log.queue", "true")))
            {
                if (ConfSet(conf, key, value, error, (nuint)error.Length) != ConfOk)
                {
                    throw new InvalidOperationException($"librdkafka rejects the producer setting '{key}': {Decode(error)}");
                }
            }

            ConfSetEvents(conf, EventDeliveryReport | EventError | EventLogMessage);
            _handle = New(ProducerType, conf, error, (nuint)error.Length);
            if (_handle == IntPtr.Zero) { throw new InvalidOperationException($"Cannot create the Kafka producer: {Decode(error)}"); }
        }
        catch
        {
            ConfDestroy(conf);
            throw;
        }

        _queue = QueueGetMain(_handle);
        SetLogQueue(_handle, IntPtr.Zero);
        _poller = new Thread(Poll) { IsBackground = true, Name = "k2-kafka-delivery" };
        _poller.Start();
    }

    /// <summary>
    /// Hands one message to librdkafka (which copies key, value and headers); <paramref name="state"/>
    /// comes back with its delivery. Returns 0 or the librdkafka error, e.g. <see cref="ErrorQueueFull"/>;
    /// on an error no delivery follows. Call from one thread.
    /// </summary>
    public int Produce(string topic, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, MessageHeader first, MessageHeader second, MessageHeader third, TState state)
    {
        var topicHandle = Topic(topic);
        var handle = GCHandle.Alloc(state);
        var vus = stackalloc Vu[MaxVus];
        IntPtr error;
        fixed (byte* keyBytes = key, valueBytes = value, firstValue = first.Value, secondValue = second.Value, thirdValue = third.Value)
        {
            var count = 0;
            vus[count++] = new Vu { Type = VType.Rkt, First = topicHandle };
            vus[count++] = new Vu { Type = VType.Key, First = (IntPtr)NonNull(keyBytes), Second = key.Length };
            vus[count++] = new Vu { Type = VType.Value, First = (IntPtr)NonNull(valueBytes), Second = value.Length };
            vus[count++] = new Vu { Type = VType.MessageFlags, First = MessageCopy };
            vus[count++] = new Vu { Type = VType.Opaque, First = GCHandle.ToIntPtr(handle) };
            AddHeader(vus, ref count, first.Name, firstValue, first.Value.Length);
            AddHeader(vus, ref count, second.Name, secondValue, second.Value.Length);
            AddHeader(vus, ref count, third.Name, thirdValue, third.Value.Length);
            error = ProduceVa(_handle, vus, (nuint)count);
        }

        if (error == IntPtr.Zero) { return 0; }
        var code = ErrorCode(error);
        ErrorDestroy(error);
        handle.Free();
        return code;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for every message to be delivered or failed; true when none is left.</summary>
    public bool Flush(TimeSpan timeout) => RdKafkaNative.Flush(_handle, (int)timeout.TotalMilliseconds) == 0;

    /// <summary>Fails every queued and in-flight message with <see cref="ErrorPurgeQueue"/>/<see cref="ErrorPurgeInFlight"/>.</summary>
    public void PurgeAll()
    {
        var error = Purge(_handle, PurgeQueue | PurgeInFlight);
        if (error != 0) { throw new InvalidOperationException($"rd_kafka_purge failed: {ErrorText(error)}"); }
    }

    private IntPtr Topic(string name)
    {
        if (_topics.TryGetValue(name, out var topic)) { return topic; }
        topic = TopicNew(_handle, name, IntPtr.Zero);
        if (topic == IntPtr.Zero) { throw new InvalidOperationException($"librdkafka cannot open topic {name}"); }
        _topics[name] = topic;
        return topic;
    }

    private static void AddHeader(Vu* vus, ref int count, HeaderName? name, byte* value, int length)
    {
        if (name is null) { return; }
        vus[count++] = new Vu { Type = VType.Header, First = name.Utf8, Second = (IntPtr)NonNull(value), Third = length };
    }

    private static byte* NonNull(byte* bytes) => bytes == null ? EmptyBytes : bytes;

    private void Poll()
    {
        var messages = new Message*[ReportBatch];
        var deliveries = new Delivery<TState>[ReportBatch];
        while (!_stopping)
        {
            var ev = QueuePoll(_queue, PollTimeoutMs);
            if (ev == IntPtr.Zero) { continue; }
            try
            {
                switch (EventType(ev))
                {
                    case EventDeliveryReport:
                        Deliver(ev, messages, deliveries);
                        break;
                    case EventError:
                        _onClientError(Marshal.PtrToStringUTF8(EventErrorString(ev)) ?? "unknown error");
                        break;
                    case EventLogMessage:
                        ReportLog(ev);
                        break;
                }
            }
            finally
            {
                EventDestroy(ev);
            }
        }
    }

    private void Deliver(IntPtr ev, Message*[] messages, Delivery<TState>[] deliveries)
    {
        fixed (Message** batch = messages)
        {
            int count;
            while ((count = (int)EventMessageArray(ev, batch, ReportBatch)) > 0)
            {
                for (var i = 0; i < count; i++)
                {
                    var handle = GCHandle.FromIntPtr(batch[i]->Opaque);
                    deliveries[i] = new Delivery<TState>((TState)handle.Target!, batch[i]->Error);
                    handle.Free();
                }

                _onDelivered(deliveries.AsSpan(0, count));
                Array.Clear(deliveries, 0, count);
            }
        }
    }

    private void ReportLog(IntPtr ev)
    {
        IntPtr facility, text;
        int level;
        if (EventLog(ev, &facility, &text, &level) == 0 && level <= LogWarning)
        {
            _onClientError($"{Marshal.PtrToStringUTF8(facility)}: {Marshal.PtrToStringUTF8(text)}");
        }
    }

    private static string Decode(byte[] error) => System.Text.Encoding.UTF8.GetString(error).TrimEnd('\0');

    /// <summary>Stops taking delivery reports and destroys the producer; flush or purge first.</summary>
    public void Dispose()
    {
        if (_disposed) { return; }
        _disposed = true;
        _stopping = true;
        _poller.Join();
        foreach (var topic in _topics.Values) { TopicDestroy(topic); }
        QueueDestroy(_queue);
        Destroy(_handle);
    }
}
