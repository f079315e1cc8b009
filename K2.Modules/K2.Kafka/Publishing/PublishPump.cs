using K2.Kafka.Fallback;
using K2.Kafka.Lag;
using K2.Kafka.Spool;
using K2.Kafka.Topics;
using Microsoft.Extensions.Logging;

namespace K2.Kafka.Publishing;

/// <summary>
/// The one task between the queue and the producer. It hands records to the producer while the brokers take them,
/// and to the on-disk spool while they do not (too many unacknowledged records, topics not verified yet, consumers
/// lagging). While the spool holds records every new record goes behind them, and the spool is replayed in order
/// before publishing goes live again, so the order per key holds across both paths. When the spool is full the pump
/// stops taking from the queue and ingest waits. It owns the producer, the spool and the undeliverable file from its
/// start; <see cref="StopAsync"/> leaves every accepted record acknowledged or on disk, then closes them.
/// </summary>
internal sealed class PublishPump
{
    private const int SpoolBatch = 8192;
    private static readonly TimeSpan IdleWait = TimeSpan.FromMilliseconds(20);

    private readonly KafkaProducerOptions _producerOptions;
    private readonly KafkaSpoolOptions _spoolOptions;
    private readonly RecordQueue _queue;
    private readonly DiskSpool _spool;
    private readonly RecordProducer _producer;
    private readonly DeliveryTracker _tracker;
    private readonly SpoolReplayer _replayer;
    private readonly TopicAdministrator _topics;
    private readonly ConsumerLagMonitor _lag;
    private readonly JsonLinesFile _undeliverable;
    private readonly ILogger _logger;
    private readonly Func<bool> _canSend;
    private Task? _run;
    private OutboundRecord? _held;
    private long _nextHousekeeping;
    private int _warnedPercent;
    private volatile bool _paused;
    private bool _spooling;
    private long _stopDeadline = long.MaxValue;

    public PublishPump(
        KafkaOptions options, RecordQueue queue, DiskSpool spool, RecordProducer producer, DeliveryTracker tracker,
        TopicAdministrator topics, ConsumerLagMonitor lag, JsonLinesFile undeliverable, ILogger logger)
    {
        _producerOptions = options.Producer;
        _spoolOptions = options.Spool;
        _queue = queue;
        _spool = spool;
        _producer = producer;
        _tracker = tracker;
        _replayer = new SpoolReplayer(spool, producer, tracker);
        _topics = topics;
        _lag = lag;
        _undeliverable = undeliverable;
        _logger = logger;
        _canSend = () => CanSend;
    }

    public bool IsRunning => _run is { IsCompleted: false };

    public bool IsPaused => _paused;

    /// <summary>A record taken from the queue that neither the producer nor the full spool took yet.</summary>
    public bool IsHoldingRecord => _held is not null;

    private bool CanSend => _topics.TopicsReady && !_lag.Throttled && _tracker.InFlight < _tracker.MaxInFlight;

    public void Start() => _run = Task.Run(RunAsync);

    private async Task RunAsync()
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
        while (true)
        {
            Housekeeping(force: false);
            if (!_spool.HasUnread && _held is null)
            {
                if (_spooling) { _spooling = false; Log.SpoolDrained(_logger); }
                if (_queue.TryRead(out var record))
                {
                    await _tracker.WaitForRoomAsync(_canSend);
                    if (!(CanSend && _producer.TryProduce(record))) { StartSpooling(record); }
                    continue;
                }

                if (_queue.IsCompleted) { return; }
                Housekeeping(force: true);
                await _queue.WaitToReadAsync(IdleWait);
                continue;
            }

            var appended = SpoolFromQueue();
            if (_queue.IsCompleted && _held is null && (!CanSend || Environment.TickCount64 > _stopDeadline)) { return; }
            var replayed = CanSend && await _replayer.ReplayAsync(_canSend);
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
        var why = !_topics.TopicsReady ? "topics not verified yet"
            : _lag.Throttled ? "consumer groups lag"
            : $"{_tracker.InFlight} records unacknowledged";
        Log.SpoolingStarted(_logger, why, _spool.Folder);
        _held = record;
    }

    /// <summary>Moves the held record and what the queue holds to the spool (one fsync); returns how many.</summary>
    private int SpoolFromQueue()
    {
        // At shutdown the cap yields: a record past it on disk beats a record lost.
        var force = _stopDeadline != long.MaxValue;
        var appended = 0;
        if (_held is not null)
        {
            if (!_spool.TryAppend(_held, ignoreCap: force))
            {
                Pause();
                return 0;
            }

            _held = null;
            appended++;
        }

        while (appended < SpoolBatch && _queue.TryRead(out var record))
        {
            if (!_spool.TryAppend(record, ignoreCap: force))
            {
                _held = record;
                break;
            }

            appended++;
        }

        if (appended > 0) { _spool.Sync(); }
        if (_held is null) { Resume(); } else { Pause(); }
        WarnWhenNearlyFull();
        return appended;
    }

    /// <summary>Moves the spool cursor over acknowledged replays, sets failures aside, updates gauges.</summary>
    private void Housekeeping(bool force)
    {
        var now = Environment.TickCount64;
        if (!force && now < _nextHousekeeping) { return; }
        _nextHousekeeping = now + 50;
        _replayer.CommitAcknowledged();
        while (_tracker.TryTakeFailure(out var failure)) { SetAside(failure.Record, failure.Reason); }
        KafkaMetrics.InFlight.Set(_tracker.InFlight);
        KafkaMetrics.QueueDepth.Set(_queue.Count);
        KafkaMetrics.SpoolBytes.Set(_spool.Bytes);
        KafkaMetrics.SpoolRecords.Set(_spool.Records);
    }

    private void SetAside(OutboundRecord record, string reason)
    {
        var topic = _producer.Topic(record);
        Log.DeliveryFailed(_logger, DeliveryTracker.KindLabel(record.Kind), topic, reason, _undeliverable.Path);
        _undeliverable.Append((record, topic, reason), static (writer, state) =>
        {
            writer.WriteStartObject();
            writer.WriteString("topic", state.topic);
            writer.WriteString("key", state.record.Key);
            writer.WriteString("reason", state.reason);
            writer.WriteNumber("receive_ts_us", state.record.ReceiveTimestampUs);
            writer.WriteBase64String("value_base64", state.record.Value);
            writer.WriteEndObject();
        });
    }

    private void WarnWhenNearlyFull()
    {
        var percent = (int)(_spool.Bytes * 100 / _spool.MaxBytes);
        if (percent >= _spoolOptions.WarnPercent && percent > _warnedPercent)
        {
            Log.SpoolNearlyFull(_logger, percent, _spool.Bytes, _spool.MaxBytes, _spool.Records);
        }

        _warnedPercent = percent >= _spoolOptions.WarnPercent ? Math.Max(_warnedPercent, percent) : 0;
    }

    private void Pause()
    {
        if (_paused) { return; }
        _paused = true;
        KafkaMetrics.IngestPaused.Set(1);
        Log.IngestPaused(_logger, _spool.Bytes, _spool.Records);
    }

    private void Resume()
    {
        if (!_paused) { return; }
        _paused = false;
        KafkaMetrics.IngestPaused.Set(0);
        Log.IngestResumed(_logger);
    }

    /// <summary>
    /// Stops accepting, drains the queue, lets the producer deliver for a bounded time and moves what
    /// it could not deliver to the head of the spool: nothing accepted is left behind.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + _producerOptions.ShutdownFlushSeconds * 1000L;
        _stopDeadline = deadline;
        _queue.Close();
        if (_run is not null) { await _run; }

        while (_tracker.InFlight > 0 && Environment.TickCount64 < deadline && !cancellationToken.IsCancellationRequested)
        {
            _producer.Flush(TimeSpan.FromMilliseconds(100));
            Housekeeping(force: true);
        }

        if (_tracker.InFlight > 0)
        {
            _producer.PurgeAll();
            var purgeDeadline = Environment.TickCount64 + 10_000;
            while (_tracker.InFlight > 0 && Environment.TickCount64 < purgeDeadline) { _producer.Flush(TimeSpan.FromMilliseconds(100)); }
        }

        Housekeeping(force: true);
        var unacknowledged = _tracker.PurgedLiveRecords();
        _spool.Prepend(unacknowledged);
        if (unacknowledged.Count > 0) { Log.ShutdownSpooled(_logger, unacknowledged.Count); }
        Housekeeping(force: true);
        _producer.Dispose();
        _spool.Dispose();
        _undeliverable.Dispose();
    }
}
