using System.Text;
using K2.Core.Time;
using K2.Core.Trades;
using K2.Exchanges;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;
using K2.Instruments;
using Microsoft.Extensions.Logging;

namespace K2.Daemon.Bench;

/// <summary>
/// One synthetic exchange of the soak: frames in the exchange's wire format, paced at a trade rate, through the
/// live ingestion path (<see cref="FramePipeline"/> and <see cref="FrameDispatch"/> into the trade sink).
/// </summary>
internal sealed class SoakFeed
{
    private readonly FramePipeline _pipeline;
    private readonly SyntheticFrames _frames;
    private readonly ITradeSink _sink;
    private readonly IDeadLetterSink _deadLetters;
    private readonly ILogger _logger;

    public SoakFeed(Exchange exchange, InstrumentSet instruments, ExchangesOptions options, ITradeSink sink, IDeadLetterSink deadLetters, ILogger logger)
    {
        _pipeline = new FramePipeline(options.Adapter(exchange), instruments, TimeProvider.System);
        var symbols = _pipeline.Symbols.All;
        _frames = new SyntheticFrames(exchange, [.. symbols.Select(s => s.Wire)], seed: (int)exchange + 1);
        Symbols = symbols.Count;
        _sink = sink;
        _deadLetters = deadLetters;
        _logger = logger;
    }

    public Exchange Exchange => _pipeline.Exchange;

    public int Symbols { get; }

    /// <summary>Trades put on the wire.</summary>
    public long Generated => _frames.Trades;

    /// <summary>Unique trades the pipeline handed to the sink.</summary>
    public long Published { get; private set; }

    public long Rejected { get; private set; }

    public long Duplicates => _pipeline.DuplicateCount;

    public int GapsOpen => _pipeline.WithLedger(l => l.OpenGaps().Count);

    /// <summary>Sends frames until <paramref name="duration"/> has passed, catching up whenever it falls behind <paramref name="rate"/>.</summary>
    public async Task RunAsync(double rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var unique = new List<NormalizedTrade>();
        while (clock.Elapsed < duration)
        {
            var due = (long)(rate * clock.Elapsed.TotalSeconds);
            while (_frames.Trades < due)
            {
                var frame = Encoding.UTF8.GetBytes(_frames.Next(DateTimeOffset.UtcNow));
                var outcome = await FrameDispatch.DispatchAsync(_pipeline, _sink, _deadLetters, _logger, frame, UnixMicros.Now(TimeProvider.System), unique, cancellationToken);
                if (outcome.Kind == FrameKind.Rejected) { Rejected++; }
                Published += unique.Count;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
        }
    }
}
