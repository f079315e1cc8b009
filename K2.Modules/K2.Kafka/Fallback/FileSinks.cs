using K2.Core.Trades;
using K2.Kafka.Publishing;
using Microsoft.Extensions.Logging;

namespace K2.Kafka.Fallback;

/// <summary>
/// The sinks when the Kafka module is disabled: normalized trades to <c>trades-&lt;exchange&gt;.jsonl</c>
/// (one message value per line, as on the topic) and dead letters to <c>dead-letters.jsonl</c>.
/// </summary>
internal sealed class FileSinks : ITradeSink, IDeadLetterSink, IDisposable
{
    private readonly JsonLinesFile[] _trades;
    private readonly JsonLinesFile _deadLetters;

    public FileSinks(string folder, ILogger<FileSinks> logger)
    {
        _trades = ExchangeNames.All.OrderBy(e => (int)e).Select(e => new JsonLinesFile(Path.Combine(folder, $"trades-{e.ToWire()}.jsonl"))).ToArray();
        _deadLetters = new JsonLinesFile(Path.Combine(folder, "dead-letters.jsonl"));
        Log.FallbackActive(logger, folder);
    }

    public ValueTask PublishAsync(Exchange exchange, ReadOnlyMemory<byte> rawFrame, IReadOnlyList<NormalizedTrade> trades, long receiveTimestampUs, CancellationToken cancellationToken)
    {
        var file = _trades[(int)exchange];
        foreach (var trade in trades) { file.AppendRaw(TradeMessageSerializer.Value(trade)); }
        return ValueTask.CompletedTask;
    }

    public ValueTask PublishAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        KafkaMetrics.DeadLetters.WithLabels(letter.Exchange.ToWire()).Inc();
        _deadLetters.Append(letter, static (writer, l) =>
        {
            writer.WriteStartObject();
            writer.WriteString("exchange", l.Exchange.ToWire());
            writer.WriteString("reason", l.Reason);
            writer.WriteNumber("receive_ts_us", l.ReceiveTimestampUs);
            writer.WriteString("raw", l.RawText);
            writer.WriteEndObject();
        });
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        foreach (var file in _trades) { file.Dispose(); }
        _deadLetters.Dispose();
    }
}
