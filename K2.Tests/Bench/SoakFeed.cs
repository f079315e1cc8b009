using System.Text;
using K2.Core.Trades;
using K2.Exchanges;
using K2.Exchanges.Pipeline;
using K2.Instruments;
using Microsoft.Extensions.Logging;

namespace K2.Bench;

/// <summary>
/// One synthetic exchange of the soak: frames in the exchange's wire format, paced at a trade rate, through the
/// live ingestion path (<see cref="FrameFeed"/> into the trade sink).
/// </summary>
internal sealed class SoakFeed
{
    private readonly FrameFeed _feed;
    private readonly SyntheticFrames _frames;

    public SoakFeed(Exchange exchange, InstrumentSet instruments, ExchangesOptions options, ITradeSink sink, IDeadLetterSink deadLetters, ILogger logger)
    {
        _feed = new FrameFeed(exchange, instruments, options, sink, deadLetters, TimeProvider.System, logger);
        _frames = new SyntheticFrames(exchange, _feed.WireSymbols, seed: (int)exchange + 1);
    }

    public Exchange Exchange => _feed.Exchange;

    public int Symbols => _feed.WireSymbols.Count;

    /// <summary>Trades put on the wire.</summary>
    public long Generated => _frames.Trades;

    /// <summary>Unique trades the pipeline handed to the sink.</summary>
    public long Published => _feed.Published;

    public long Rejected => _feed.Rejected;

    public long Duplicates => _feed.Duplicates;

    public int GapsOpen => _feed.OpenGaps;

    /// <summary>Sends frames until <paramref name="duration"/> has passed, catching up whenever it falls behind <paramref name="rate"/>.</summary>
    public async Task RunAsync(double rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            var due = (long)(rate * clock.Elapsed.TotalSeconds);
            while (_frames.Trades < due)
            {
                await _feed.FeedAsync(Encoding.UTF8.GetBytes(_frames.Next(DateTimeOffset.UtcNow)), cancellationToken);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
        }
    }
}
