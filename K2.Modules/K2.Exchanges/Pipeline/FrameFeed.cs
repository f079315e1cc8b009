using K2.Core.Time;
using K2.Core.Trades;
using K2.Exchanges.Parsing;
using K2.Instruments;
using Microsoft.Extensions.Logging;

namespace K2.Exchanges.Pipeline;

/// <summary>
/// One exchange's live ingestion path for frames the caller supplies in process: parse → normalize → dedup and gap
/// ledger, then the trade sink (or the dead-letter path for a rejected frame), as a live session does. Public for the
/// benchmarks, which feed synthetic frames through it. One feed per exchange; feed it from one task at a time.
/// </summary>
public sealed class FrameFeed
{
    private readonly FramePipeline _pipeline;
    private readonly ITradeSink _sink;
    private readonly IDeadLetterSink _deadLetters;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly List<NormalizedTrade> _unique = [];

    /// <param name="options">The exchanges' options, which make each exchange's adapter (e.g. Coinbase's side meaning).</param>
    public FrameFeed(Exchange exchange, InstrumentSet instruments, ExchangesOptions options, ITradeSink sink, IDeadLetterSink deadLetters, TimeProvider clock, ILogger logger)
    {
        _pipeline = new FramePipeline(options.Adapter(exchange), instruments, clock);
        WireSymbols = [.. _pipeline.Symbols.All.Select(s => s.Wire)];
        _sink = sink;
        _deadLetters = deadLetters;
        _clock = clock;
        _logger = logger;
    }

    public Exchange Exchange => _pipeline.Exchange;

    /// <summary>The symbols as the exchange spells them on the wire, from the instruments.</summary>
    public IReadOnlyList<string> WireSymbols { get; }

    /// <summary>Unique trades handed to the trade sink so far.</summary>
    public long Published { get; private set; }

    /// <summary>Frames rejected (and sent to the dead-letter path) so far.</summary>
    public long Rejected { get; private set; }

    /// <summary>Trades dropped as duplicates so far.</summary>
    public long Duplicates => _pipeline.DuplicateCount;

    /// <summary>Gaps in the trade ids that are open now.</summary>
    public int OpenGaps => _pipeline.WithLedger(l => l.OpenGaps().Count);

    /// <summary>Feeds one frame received now; returns how many unique trades it handed to the sink.</summary>
    public async ValueTask<int> FeedAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        var outcome = await FrameDispatch.DispatchAsync(_pipeline, _sink, _deadLetters, _logger, frame, UnixMicros.Now(_clock), _unique, cancellationToken).ConfigureAwait(false);
        if (outcome.Kind == FrameKind.Rejected) { Rejected++; }
        Published += _unique.Count;
        return _unique.Count;
    }

    /// <summary>
    /// Parses and deduplicates one frame without the sinks, appending its unique trades to <paramref name="unique"/>:
    /// the ingestion path's own work, as <c>k2 bench normalize</c> measures it.
    /// </summary>
    public void Normalize(ReadOnlySpan<byte> frame, long receiveTimestampUs, List<NormalizedTrade> unique) => _pipeline.Process(frame, receiveTimestampUs, unique);
}
