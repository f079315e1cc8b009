using System.Text;
using K2.Core.Trades;
using K2.Exchanges.Parsing;
using Microsoft.Extensions.Logging;

namespace K2.Exchanges.Pipeline;

/// <summary>
/// What happens to one received frame, live or replayed: the pipeline parses and deduplicates it, a
/// rejected frame goes to the dead-letter path, a frame with unique trades goes to the trade sink.
/// </summary>
internal static class FrameDispatch
{
    public static async ValueTask<FrameOutcome> DispatchAsync(
        FramePipeline pipeline, ITradeSink sink, IDeadLetterSink deadLetters, ILogger logger,
        ReadOnlyMemory<byte> frame, long receivedUs, List<NormalizedTrade> unique, CancellationToken cancellationToken)
    {
        unique.Clear();
        var outcome = pipeline.Process(frame.Span, receivedUs, unique);
        switch (outcome.Kind)
        {
            case FrameKind.Rejected:
                await RejectAsync(pipeline.Exchange, deadLetters, logger, outcome, Encoding.UTF8.GetString(frame.Span), receivedUs, cancellationToken);
                break;
            case FrameKind.Trades:
                await sink.PublishAsync(pipeline.Exchange, frame.ToArray(), unique.ToArray(), receivedUs, cancellationToken);
                break;
        }

        return outcome;
    }

    /// <summary>The one dead-letter path of bad input, a WebSocket frame or a REST row: counted by reason, logged, set aside with its reason.</summary>
    public static ValueTask RejectAsync(Exchange exchange, IDeadLetterSink deadLetters, ILogger logger, FrameOutcome outcome, string rawText, long receivedUs, CancellationToken cancellationToken)
    {
        var label = exchange.ToWire();
        ExchangeMetrics.Rejects.WithLabels(label, outcome.Reason!).Inc();
        Log.Rejected(logger, label, outcome.Reason!, outcome.Detail!);
        return deadLetters.PublishAsync(new DeadLetter(exchange, $"{outcome.Reason}: {outcome.Detail}", rawText, receivedUs), cancellationToken);
    }
}
