using System.Buffers.Text;
using System.Text;
using Confluent.Kafka;
using K2.Kafka.Native;
using K2.Kafka.Topics;

namespace K2.Kafka.Publishing;

/// <summary>
/// Hands records to librdkafka with their topic and headers — <c>exchange</c>, then <c>schema_version</c> (trades) or
/// <c>reason</c> (dead letters), then <c>receive_ts_us</c> — numbering them in the order handed over and counting
/// them in the <see cref="DeliveryTracker"/>. Called from the pump only.
/// </summary>
internal sealed class RecordProducer : IDisposable
{
    private static readonly HeaderName ExchangeHeaderName = new("exchange");
    private static readonly HeaderName SchemaVersionHeaderName = new("schema_version");
    private static readonly HeaderName ReasonHeaderName = new("reason");
    private static readonly HeaderName ReceiveTimestampHeaderName = new("receive_ts_us");

    private readonly NativeProducer<OutboundRecord> _producer;
    private readonly DeliveryTracker _tracker;
    private readonly KafkaTopicNames _topics;
    private long _sequence;

    public RecordProducer(ProducerConfig config, KafkaTopicNames topics, DeliveryTracker tracker, Action<string> onClientError)
    {
        _topics = topics;
        _tracker = tracker;
        _producer = new NativeProducer<OutboundRecord>(config, tracker.OnDelivered, onClientError);
    }

    public string Topic(OutboundRecord record) => _topics.For(record.Kind, record.Exchange);

    /// <summary>
    /// Hands the record over; false when the producer's queue is full (try again shortly). A record the producer
    /// refuses for good counts as failed and is set aside.
    /// </summary>
    public bool TryProduce(OutboundRecord record)
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
        _tracker.Handed();
        var error = _producer.Produce(Topic(record), record.Key, record.Value,
            new MessageHeader(ExchangeHeaderName, TradeMessageSerializer.ExchangeUtf8(record.Exchange)), second, new MessageHeader(ReceiveTimestampHeaderName, receivedAt[..digits]), record);
        if (error == 0) { return true; }
        _tracker.Withdrawn();
        if (error == RdKafkaNative.ErrorQueueFull) { return false; }
        _tracker.Failed(record, RdKafkaNative.ErrorText(error));
        return true;
    }

    /// <summary>Lets the producer deliver for up to <paramref name="timeout"/>; it cannot be cancelled, so callers loop short flushes.</summary>
    public void Flush(TimeSpan timeout) => _producer.Flush(timeout);

    /// <summary>Fails everything the producer still holds as purged (see <see cref="DeliveryTracker.PurgedLiveRecords"/>).</summary>
    public void PurgeAll() => _producer.PurgeAll();

    public void Dispose() => _producer.Dispose();
}
