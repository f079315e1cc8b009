using System.Buffers;
using System.Diagnostics;
using System.Text;
using K2.Core.Time;
using K2.Core.Trades;
using K2.Exchanges.Parsing;
using K2.Instruments;
using Microsoft.Extensions.Logging;

namespace K2.Exchanges.Pipeline;

/// <summary>
/// Feeds a capture (one WebSocket text frame per line, in arrival order) through the live ingestion
/// path — pipeline, then <see cref="FrameDispatch"/> into the trade sink and the dead-letter path —
/// optionally paced at a multiple of the capture's own pace (from the trades' exchange times).
/// </summary>
public sealed class CaptureReplayer(ITradeSink sink, IDeadLetterSink deadLetters, TimeProvider clock, ILogger logger)
{
    public sealed record Result(Exchange Exchange, string Path, int Lines, int Frames, int Trades, int Duplicates, int Rejected, int GapsOpen, int GapsLost);

    /// <param name="speed">Multiple of real time; null replays as fast as the sink accepts.</param>
    public async Task<Result> ReplayAsync(Exchange exchange, string path, InstrumentSet instruments, ExchangesOptions options, double? speed, CancellationToken cancellationToken)
    {
        var pipeline = new FramePipeline(options.Adapter(exchange), instruments, clock);
        var unique = new List<NormalizedTrade>();
        var pacing = Stopwatch.StartNew();
        long? firstTradeUs = null;
        int lines = 0, frames = 0, trades = 0, rejected = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                lines++;
                if (line.Length == 0) { continue; }
                var needed = Encoding.UTF8.GetMaxByteCount(line.Length);
                if (needed > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(needed);
                }

                var length = Encoding.UTF8.GetBytes(line, buffer);
                frames++;
                var outcome = await FrameDispatch.DispatchAsync(pipeline, sink, deadLetters, logger, buffer.AsMemory(0, length), UnixMicros.Now(clock), unique, cancellationToken);
                if (outcome.Kind == FrameKind.Rejected) { rejected++; }
                trades += unique.Count;
                if (speed is { } factor && unique.Count > 0)
                {
                    firstTradeUs ??= unique[0].ExchangeTimestampUs;
                    var due = TimeSpan.FromMicroseconds((unique[^1].ExchangeTimestampUs - firstTradeUs.Value) / factor);
                    var wait = due - pacing.Elapsed;
                    if (wait > TimeSpan.Zero) { await Task.Delay(wait, clock, cancellationToken); }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var gaps = pipeline.WithLedger(l => l.RecentGaps());
        return new Result(exchange, path, lines, frames, trades, (int)pipeline.DuplicateCount, rejected,
            gaps.Count(g => g.Status == GapStatus.Open), gaps.Count(g => g.Status == GapStatus.Lost));
    }
}
