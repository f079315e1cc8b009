namespace K2.Core.Trades;

/// <summary>
/// Where ingestors hand their output. The Kafka module implements it; the call applies
/// backpressure (awaits) when the publishing queue is full rather than dropping.
/// </summary>
public interface ITradeSink
{
    /// <param name="rawFrame">The exchange's frame bytes, for the raw topic.</param>
    /// <param name="trades">The unique trades the frame yielded (may be empty).</param>
    ValueTask PublishAsync(Exchange exchange, ReadOnlyMemory<byte> rawFrame, IReadOnlyList<NormalizedTrade> trades, long receiveTimestampUs, CancellationToken cancellationToken);
}

/// <summary>A frame an ingestor rejected, with the reason.</summary>
public sealed record DeadLetter(Exchange Exchange, string Reason, string RawText, long ReceiveTimestampUs);

/// <summary>The dead-letter path: the DLQ topic, or a local file when Kafka is disabled.</summary>
public interface IDeadLetterSink
{
    ValueTask PublishAsync(DeadLetter letter, CancellationToken cancellationToken);
}
