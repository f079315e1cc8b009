using System.Collections.Concurrent;
using System.Text;
using K2.Core.Trades;
using K2.Kafka.Fallback;
using K2.Kafka.Lag;
using K2.Kafka.Spool;
using K2.Kafka.Topics;
using Microsoft.Extensions.Logging;

namespace K2.Kafka.Publishing;

/// <summary>
/// The one producer of K2, as the ingestors see it: they serialize on their own threads and write into a bounded
/// queue (awaiting when it is full); the <see cref="PublishPump"/> takes it from there to the producer or the spool.
/// This class opens the spool and the producer at start, stops them at shutdown, and reports the state readiness,
/// status and tests read.
/// </summary>
internal sealed class KafkaPublisher : ITradeSink, IDeadLetterSink, IKafkaPublisherState, IAsyncDisposable
{
    private readonly KafkaOptions _options;
    private readonly KafkaBootstrap _bootstrap;
    private readonly KafkaConnection _connection;
    private readonly TopicAdministrator _topics;
    private readonly ConsumerLagMonitor _lag;
    private readonly string _spoolFolder;
    private readonly ILogger _logger;
    private readonly RecordQueue _queue;
    private readonly DeliveryTracker _tracker;
    private readonly ConcurrentDictionary<(Exchange, string), byte[]> _keys = new();
    private DiskSpool? _spool;
    private PublishPump? _pump;
    private int _stopped;

    public KafkaPublisher(
        KafkaOptions options, KafkaBootstrap bootstrap, KafkaConnection connection, TopicAdministrator topics, ConsumerLagMonitor lag,
        string spoolFolder, ILogger<KafkaPublisher> logger, TimeProvider clock)
    {
        _options = options;
        _bootstrap = bootstrap;
        _connection = connection;
        _topics = topics;
        _lag = lag;
        _spoolFolder = spoolFolder;
        _logger = logger;
        _queue = new RecordQueue(options.Producer.QueueCapacity);
        _tracker = new DeliveryTracker(options.Producer, clock);
    }

    public bool IsRunning => _pump?.IsRunning ?? false;

    public bool IsPaused => _pump?.IsPaused ?? false;

    public bool TopicsReady => _topics.TopicsReady;

    public bool LagThrottled => _lag.Throttled;

    public long SpooledRecords => _spool?.Records ?? 0;

    public long SpooledBytes => _spool?.Bytes ?? 0;

    public long InFlight => _tracker.InFlight;

    public bool IsDrained => _queue.Count == 0 && !(_pump?.IsHoldingRecord ?? false) && InFlight == 0 && SpooledRecords == 0;

    public void Start()
    {
        var servers = _bootstrap.BootstrapServers;
        var spool = _spool = new DiskSpool(_spoolFolder, _options.Spool.MaxBytes, _options.Spool.SegmentBytes);
        KafkaMetrics.SpoolMaxBytes.Set(spool.MaxBytes);
        if (spool.Records > 0) { Log.SpoolFound(_logger, spool.Records, spool.Bytes); }
        var producer = new RecordProducer(KafkaClientConfig.Producer(_options, servers), _connection.Topics, _tracker, reason => Log.ClientError(_logger, reason));
        var undeliverable = new JsonLinesFile(Path.Combine(_spoolFolder, "undeliverable.jsonl"));
        _pump = new PublishPump(_options, _queue, spool, producer, _tracker, _topics, _lag, undeliverable, _logger);
        _pump.Start();
    }

    public async ValueTask PublishAsync(Exchange exchange, ReadOnlyMemory<byte> rawFrame, IReadOnlyList<NormalizedTrade> trades, long receiveTimestampUs, CancellationToken cancellationToken)
    {
        if (!rawFrame.IsEmpty && _options.Topics.For(exchange).PublishRaw)
        {
            var key = Key(exchange, trades.Count > 0 ? trades[0].Symbol : "");
            await _queue.WriteAsync(new OutboundRecord(RecordKind.Raw, exchange, key, rawFrame.ToArray(), receiveTimestampUs), cancellationToken);
        }

        for (var i = 0; i < trades.Count; i++)
        {
            var trade = trades[i];
            var record = new OutboundRecord(RecordKind.Trade, exchange, Key(exchange, trade.Symbol), TradeMessageSerializer.Value(trade), trade.ReceiveTimestampUs);
            await _queue.WriteAsync(record, cancellationToken);
        }
    }

    public ValueTask PublishAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        KafkaMetrics.DeadLetters.WithLabels(letter.Exchange.ToWire()).Inc();
        var reason = letter.Reason.Length > 1000 ? letter.Reason[..1000] : letter.Reason;
        var record = new OutboundRecord(RecordKind.DeadLetter, letter.Exchange, TradeMessageSerializer.ExchangeUtf8(letter.Exchange), Encoding.UTF8.GetBytes(letter.RawText), letter.ReceiveTimestampUs, reason);
        return _queue.WriteAsync(record, cancellationToken);
    }

    private byte[] Key(Exchange exchange, string symbol) =>
        _keys.TryGetValue((exchange, symbol), out var key) ? key : _keys.GetOrAdd((exchange, symbol), k => TradeMessageSerializer.Key(k.Item1, k.Item2));

    /// <summary>Stops the pump: every record accepted so far ends acknowledged by the brokers or in the spool.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1 || _pump is null) { return; }
        await _pump.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}
