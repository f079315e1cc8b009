using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using K2.Core.Time;
using K2.Core.Trades;
using K2.Kafka.Embedded;
using K2.Kafka.Fallback;
using K2.Kafka.Native;
using K2.Kafka.Spool;
using K2.Kafka.Topics;
using Microsoft.Extensions.Logging;

namespace K2.Kafka.Publishing;

/// <summary>
/// The one producer of K2. Ingestors serialize on their own threads and write into a bounded queue
/// (awaiting when it is full); a single pump hands records to the idempotent producer, or, while the
/// brokers do not acknowledge (too many unacknowledged records, topics not yet verified, consumers
/// lagging), appends them to the on-disk spool. While the spool holds records every new record goes
/// behind them, and the spool is replayed in order before publishing goes live again, so the order
/// per key holds across both paths. When the spool is full the pump stops taking from the queue and
/// ingest waits.
/// </summary>
internal sealed class KafkaPublisher : ITradeSink, IDeadLetterSink, IAsyncDisposable
{
    private const int SpoolBatch = 8192;
    private const int ReplayChunk = 4096;
    private static readonly TimeSpan IdleWait = TimeSpan.FromMilliseconds(20);
    /// <summary>Longest wait for room before looking again whether the brokers still acknowledge.</summary>
    private static readonly TimeSpan RoomRecheck = TimeSpan.FromMilliseconds(50);

    /// <summary>Acknowledgements this recent mean the brokers keep up; older ones, that they are down or stuck.</summary>
    private const long AckStallMs = 1000;
    private static readonly byte[][] ExchangeHeader = ExchangeNames.All.OrderBy(e => (int)e).Select(e => Encoding.UTF8.GetBytes(e.ToWire())).ToArray();
    private static readonly HeaderName ExchangeHeaderName = new("exchange");
    private static readonly HeaderName SchemaVersionHeaderName = new("schema_version");
    private static readonly HeaderName ReasonHeaderName = new("reason");
    private static readonly HeaderName ReceiveTimestampHeaderName = new("receive_ts_us");
    private static readonly Prometheus.Counter.Child[] AckedByKind = KindLabels().Select(k => KafkaMetrics.Acked.WithLabels(k)).ToArray();
    private static readonly Prometheus.Counter.Child[] FailedByKind = KindLabels().Select(k => KafkaMetrics.Failed.WithLabels(k)).ToArray();

    private readonly KafkaOptions _options;
    private readonly KafkaBootstrap _bootstrap;
    private readonly string _spoolFolder;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly RecordQueue _queue;
    private readonly ConsumerLagMonitor _lag;
    private EmbeddedLogTrimmer? _trimmer;
    private readonly TopicAdministrator _topics;
    private readonly ConcurrentDictionary<(Exchange, string), byte[]> _keys = new();
    private readonly ConcurrentQueue<(OutboundRecord Record, string Reason)> _failed = new();
    private readonly List<OutboundRecord> _purged = [];
    private readonly Queue<ReplayBatch> _replays = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly JsonLinesFile _undeliverable;
    private readonly long _wakeBelow;
    private NativeProducer<OutboundRecord>? _producer;
    private DiskSpool? _spool;
    private Task? _pump;
    private Task? _topicCheck;
    private OutboundRecord? _held;
    private long _inFlight;
    private long _lastDeliveryTicks = long.MinValue / 2;
    private TaskCompletionSource? _roomWaiter;
    private long _sequence;
    private long _nextHousekeeping;
    private int _warnedPercent;
    private volatile bool _topicsReady;
    private volatile bool _paused;
    private bool _spooling;
    private int _stopped;
    private long _stopDeadline = long.MaxValue;

    public KafkaPublisher(KafkaOptions options, KafkaBootstrap bootstrap, string spoolFolder, ILogger<KafkaPublisher> logger, TimeProvider clock)
    {
        _options = options;
        _bootstrap = bootstrap;
        _spoolFolder = spoolFolder;
        _logger = logger;
        _clock = clock;
        _queue = new RecordQueue(options.Producer.QueueCapacity);
        _wakeBelow = Math.Min(options.Producer.AckWindow, options.Producer.MaxInFlight) * 3L / 4;
        _lag = new ConsumerLagMonitor(options, logger);
        _topics = new TopicAdministrator(options, logger);
        _undeliverable = new JsonLinesFile(Path.Combine(spoolFolder, "undeliverable.jsonl"));
    }

    /// <summary>Receive→ack latency in µs of each acknowledged trade, for the benchmark.</summary>
    internal Action<long>? AckLatencyObserver { get; set; }

    public bool IsRunning => _pump is { IsCompleted: false };

    public bool IsPaused => _paused;

    public bool TopicsReady => _topicsReady;

    public bool LagThrottled => _lag.Throttled;

    public long SpooledRecords => _spool?.Records ?? 0;

    public long SpooledBytes => _spool?.Bytes ?? 0;

    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Whether every accepted record is acknowledged: nothing queued, held, in flight or spooled.</summary>
    public bool IsDrained => _queue.Count == 0 && _held is null && InFlight == 0 && SpooledRecords == 0;

    public void Start()
    {
        var servers = _bootstrap.BootstrapServers;
        _spool = new DiskSpool(_spoolFolder, _options.Spool.MaxBytes, _options.Spool.SegmentBytes);
        KafkaMetrics.SpoolMaxBytes.Set(_spool.MaxBytes);
        if (_spool.Records > 0) { Log.SpoolFound(_logger, _spool.Records, _spool.Bytes); }
        _producer = new NativeProducer<OutboundRecord>(KafkaClientConfig.Producer(_options, servers), OnDelivered, reason => Log.ClientError(_logger, reason));
        _topicCheck = Task.Run(() => EnsureTopicsAsync(_stopping.Token));
        _lag.Start(servers);
        if (_bootstrap.Embedded is { } embedded && _options.EmbeddedRetention.Enabled)
        {
            _trimmer = new EmbeddedLogTrimmer(_options, embedded, _logger);
            _trimmer.Start();
        }

        _pump = Task.Run(PumpAsync);
    }

    public async ValueTask PublishAsync(Exchange exchange, ReadOnlyMemory<byte> rawFrame, IReadOnlyList<NormalizedTrade> trades, long receiveTimestampUs, CancellationToken cancellationToken)
    {
        if (!rawFrame.IsEmpty && _options.Topics.For(exchange).PublishRaw)
        {
            var key = Key(exchange, trades.Count > 0 ? trades[0].Symbol : "");
            await EnqueueAsync(new OutboundRecord(RecordKind.Raw, exchange, key, rawFrame.ToArray(), receiveTimestampUs), cancellationToken);
        }

        for (var i = 0; i < trades.Count; i++)
        {
            var trade = trades[i];
            var record = new OutboundRecord(RecordKind.Trade, exchange, Key(exchange, trade.Symbol), TradeMessageSerializer.Value(trade), trade.ReceiveTimestampUs);
            await EnqueueAsync(record, cancellationToken);
        }
    }

    public ValueTask PublishAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        KafkaMetrics.DeadLetters.WithLabels(letter.Exchange.ToWire()).Inc();
        var reason = letter.Reason.Length > 1000 ? letter.Reason[..1000] : letter.Reason;
        var record = new OutboundRecord(RecordKind.DeadLetter, letter.Exchange, ExchangeHeader[(int)letter.Exchange], Encoding.UTF8.GetBytes(letter.RawText), letter.ReceiveTimestampUs, reason);
        return EnqueueAsync(record, cancellationToken);
    }

    private ValueTask EnqueueAsync(OutboundRecord record, CancellationToken cancellationToken) => _queue.WriteAsync(record, cancellationToken);

    private byte[] Key(Exchange exchange, string symbol) =>
        _keys.TryGetValue((exchange, symbol), out var key) ? key : _keys.GetOrAdd((exchange, symbol), k => TradeMessageSerializer.Key(k.Item1, k.Item2));

    private bool CanSend => _topicsReady && !_lag.Throttled && Interlocked.Read(ref _inFlight) < _options.Producer.MaxInFlight;

    private bool BrokersAcknowledging => Environment.TickCount64 - Volatile.Read(ref _lastDeliveryTicks) < AckStallMs;

    /// <summary>
    /// How many more records the producer may take now: up to the ack window while the brokers keep
    /// acknowledging (the producer's buffer stays small and hot in cache; ingest waits on the queue
    /// instead), up to MaxInFlight when they do not (the rest then goes to the spool).
    /// </summary>
    private long Room()
    {
        var producer = _options.Producer;
        var window = Math.Min(producer.AckWindow, producer.MaxInFlight);
        var inFlight = Interlocked.Read(ref _inFlight);
        // Within the window the brokers' state does not matter (and reading the clock per record costs).
        return inFlight < window ? window - inFlight : (BrokersAcknowledging ? window : producer.MaxInFlight) - inFlight;
    }

    /// <summary>Waits until the producer has room (woken by the next delivery batch) or cannot send at all.</summary>
    private async ValueTask WaitForRoomAsync()
    {
        while (Room() <= 0 && CanSend)
        {
            var room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _roomWaiter, room);
            // A delivery batch that came between the check above and publishing the waiter woke nobody.
            if (Room() > 0) { break; }
            await room.Task.WaitAsync(RoomRecheck).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            await PumpRecordsAsync();
        }
        catch (Exception ex)
        {
            // Ingestors must not wait forever on a queue nobody drains: they get the error instead.
            Log.PumpFailed(_logger, ex);
            _queue.Close(ex);
            throw;
        }
    }

    private async Task PumpRecordsAsync()
    {
        var spool = _spool!;
        while (true)
        {
            Housekeeping(force: false);
            if (!spool.HasUnread && _held is null)
            {
                if (_spooling) { _spooling = false; Log.SpoolDrained(_logger); }
                if (_queue.TryRead(out var record))
                {
                    await WaitForRoomAsync();
                    if (!(CanSend && TryProduce(record))) { StartSpooling(record); }
                    continue;
                }

                if (_queue.IsCompleted) { return; }
                Housekeeping(force: true);
                await _queue.WaitToReadAsync(IdleWait);
                continue;
            }

            var appended = SpoolFromQueue();
            if (_queue.IsCompleted && _held is null && (!CanSend || Environment.TickCount64 > _stopDeadline)) { return; }
            var replayed = CanSend && await ReplayAsync(spool);
            if (replayed) { continue; }
            // Paused on a full spool, or spooling while records trickle in: wait a moment rather than
            // spin, so appends are fsync'd in batches.
            if (_held is not null || appended > 0) { await Task.Delay(IdleWait); }
            else { await _queue.WaitToReadAsync(IdleWait); }
        }
    }

    private void StartSpooling(OutboundRecord record)
    {
        _spooling = true;
        var why = !_topicsReady ? "topics not verified yet"
            : _lag.Throttled ? "consumer groups lag"
            : $"{Interlocked.Read(ref _inFlight)} records unacknowledged";
        Log.SpoolingStarted(_logger, why, _spoolFolder);
        _held = record;
    }

    /// <summary>Moves the held record and what the queue holds to the spool (one fsync); returns how many.</summary>
    private int SpoolFromQueue()
    {
        var spool = _spool!;
        // At shutdown the cap yields: a record past it on disk beats a record lost.
        var force = _stopDeadline != long.MaxValue;
        var appended = 0;
        if (_held is not null)
        {
            if (!spool.TryAppend(_held, ignoreCap: force))
            {
                Pause();
                return 0;
            }

            _held = null;
            appended++;
        }

        while (appended < SpoolBatch && _queue.TryRead(out var record))
        {
            if (!spool.TryAppend(record, ignoreCap: force))
            {
                _held = record;
                break;
            }

            appended++;
        }

        if (appended > 0) { spool.Sync(); }
        if (_held is null) { Resume(); } else { Pause(); }
        WarnWhenNearlyFull();
        return appended;
    }

    private async Task<bool> ReplayAsync(DiskSpool spool)
    {
        var any = false;
        while (CanSend && spool.HasUnread)
        {
            var room = Room();
            if (room <= 0)
            {
                await WaitForRoomAsync();
                continue;
            }

            var batch = new ReplayBatch(spool.Read((int)Math.Min(ReplayChunk, room)));
            _replays.Enqueue(batch);
            foreach (var record in batch.Records)
            {
                while (!TryProduce(record)) { await Task.Delay(1); }
            }

            any = true;
        }

        return any;
    }

    private bool TryProduce(OutboundRecord record)
    {
        Span<byte> receivedAt = stackalloc byte[20];
        Utf8Formatter.TryFormat(record.ReceiveTimestampUs, receivedAt, out var digits);
        var second = record.Kind switch
        {
            RecordKind.Trade => new MessageHeader(SchemaVersionHeaderName, TradeMessageSerializer.SchemaVersionHeader),
            RecordKind.DeadLetter => new MessageHeader(ReasonHeaderName, Encoding.UTF8.GetBytes(record.Reason ?? "")),
            _ => default,
        };
        record.Sequence = ++_sequence;
        Interlocked.Increment(ref _inFlight);
        var error = _producer!.Produce(record.Topic, record.Key, record.Value,
            new MessageHeader(ExchangeHeaderName, ExchangeHeader[(int)record.Exchange]), second, new MessageHeader(ReceiveTimestampHeaderName, receivedAt[..digits]), record);
        if (error == 0) { return true; }
        Interlocked.Decrement(ref _inFlight);
        if (error == RdKafkaNative.ErrorQueueFull) { return false; }
        Failed(record, RdKafkaNative.ErrorText(error));
        return true;
    }

    /// <summary>Runs on the producer's delivery thread, once per batch of reports: count and hand over only.</summary>
    private void OnDelivered(ReadOnlySpan<Delivery<OutboundRecord>> deliveries)
    {
        Volatile.Write(ref _lastDeliveryTicks, Environment.TickCount64);
        var now = UnixMicros.Now(_clock);
        Span<int> acked = stackalloc int[AckedByKind.Length];
        foreach (var (record, error) in deliveries)
        {
            if (error == 0)
            {
                acked[(int)record.Kind]++;
                if (record.Kind == RecordKind.Trade)
                {
                    var latency = now - record.ReceiveTimestampUs;
                    KafkaMetrics.ReceiveToAck.Observe(latency / 1e6);
                    AckLatencyObserver?.Invoke(latency);
                }

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

    private void Failed(OutboundRecord record, string reason)
    {
        FailedByKind[(int)record.Kind].Inc();
        _failed.Enqueue((record, reason));
        record.Batch?.MarkDone(record.BatchIndex);
    }

    /// <summary>Label values indexed by <see cref="RecordKind"/> (index 0 unused).</summary>
    private static IEnumerable<string> KindLabels() => Enumerable.Range(0, 4).Select(k => KindLabel((RecordKind)k));

    private static string KindLabel(RecordKind kind) => kind switch
    {
        RecordKind.Trade => "trade",
        RecordKind.Raw => "raw",
        _ => "dead_letter",
    };

    /// <summary>Moves the spool cursor over acknowledged replays, sets failures aside, updates gauges.</summary>
    private void Housekeeping(bool force)
    {
        var now = Environment.TickCount64;
        if (!force && now < _nextHousekeeping) { return; }
        _nextHousekeeping = now + 50;
        var spool = _spool!;
        while (_replays.TryPeek(out var front))
        {
            if (front.TryTakeCommit(out var position, out var records)) { spool.Commit(position, records); }
            if (!front.IsCommitted) { break; }
            _replays.Dequeue();
        }

        while (_failed.TryDequeue(out var failure)) { SetAside(failure.Record, failure.Reason); }
        KafkaMetrics.InFlight.Set(Interlocked.Read(ref _inFlight));
        KafkaMetrics.QueueDepth.Set(_queue.Count);
        KafkaMetrics.SpoolBytes.Set(spool.Bytes);
        KafkaMetrics.SpoolRecords.Set(spool.Records);
    }

    private void SetAside(OutboundRecord record, string reason)
    {
        Log.DeliveryFailed(_logger, KindLabel(record.Kind), record.Topic, reason, _undeliverable.Path);
        _undeliverable.Append((record, reason), static (writer, state) =>
        {
            writer.WriteStartObject();
            writer.WriteString("topic", state.record.Topic);
            writer.WriteString("key", state.record.Key);
            writer.WriteString("reason", state.reason);
            writer.WriteNumber("receive_ts_us", state.record.ReceiveTimestampUs);
            writer.WriteBase64String("value_base64", state.record.Value);
            writer.WriteEndObject();
        });
    }

    private void WarnWhenNearlyFull()
    {
        var spool = _spool!;
        var percent = (int)(spool.Bytes * 100 / spool.MaxBytes);
        if (percent >= _options.Spool.WarnPercent && percent > _warnedPercent)
        {
            Log.SpoolNearlyFull(_logger, percent, spool.Bytes, spool.MaxBytes, spool.Records);
        }

        _warnedPercent = percent >= _options.Spool.WarnPercent ? Math.Max(_warnedPercent, percent) : 0;
    }

    private void Pause()
    {
        if (_paused) { return; }
        _paused = true;
        KafkaMetrics.IngestPaused.Set(1);
        Log.IngestPaused(_logger, _spool!.Bytes, _spool.Records);
    }

    private void Resume()
    {
        if (!_paused) { return; }
        _paused = false;
        KafkaMetrics.IngestPaused.Set(0);
        Log.IngestResumed(_logger);
    }

    private async Task EnsureTopicsAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _topics.EnsureAsync(_bootstrap, cancellationToken);
                _topicsReady = true;
                return;
            }
            catch (KafkaException ex)
            {
                Log.TopicsUnreachable(_logger, ex.Error.Reason);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try { await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken); } catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>
    /// Stops accepting, drains the queue, lets the producer deliver for a bounded time and moves what
    /// it could not deliver to the head of the spool: nothing accepted is left behind.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1 || _pump is null) { return; }
        var deadline = Environment.TickCount64 + _options.Producer.ShutdownFlushSeconds * 1000L;
        _stopDeadline = deadline;
        _queue.Close();
        await _pump;
        await _stopping.CancelAsync();
        if (_topicCheck is not null) { await _topicCheck; }
        await _lag.DisposeAsync();
        if (_trimmer is not null) { await _trimmer.DisposeAsync(); }

        var producer = _producer!;
        while (InFlight > 0 && Environment.TickCount64 < deadline && !cancellationToken.IsCancellationRequested)
        {
            producer.Flush(TimeSpan.FromMilliseconds(100));
            Housekeeping(force: true);
        }

        if (InFlight > 0)
        {
            producer.PurgeAll();
            var purgeDeadline = Environment.TickCount64 + 10_000;
            while (InFlight > 0 && Environment.TickCount64 < purgeDeadline) { producer.Flush(TimeSpan.FromMilliseconds(100)); }
        }

        Housekeeping(force: true);
        var spool = _spool!;
        List<OutboundRecord> unacknowledged;
        lock (_purged) { unacknowledged = _purged.Where(r => r.Batch is null).OrderBy(r => r.Sequence).ToList(); }
        spool.Prepend(unacknowledged);
        if (unacknowledged.Count > 0) { Log.ShutdownSpooled(_logger, unacknowledged.Count); }
        Housekeeping(force: true);
        producer.Dispose();
        spool.Dispose();
        _undeliverable.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
    }
}
