using System.Collections.Concurrent;
using K2.Core.Trades;

namespace K2.Tests.Exchanges;

/// <summary>Collects what an ingestor publishes, for assertions.</summary>
internal sealed class CollectingSink : ITradeSink, IDeadLetterSink
{
    private readonly ConcurrentQueue<NormalizedTrade> _trades = new();
    private readonly ConcurrentQueue<DeadLetter> _deadLetters = new();
    private int _frames;

    public IReadOnlyList<NormalizedTrade> Trades => _trades.ToArray();

    public IReadOnlyList<DeadLetter> DeadLetters => _deadLetters.ToArray();

    public int Frames => Volatile.Read(ref _frames);

    public ValueTask PublishAsync(Exchange exchange, ReadOnlyMemory<byte> rawFrame, IReadOnlyList<NormalizedTrade> trades, long receiveTimestampUs, CancellationToken cancellationToken)
    {
        rawFrame.Length.Should().BePositive("every publish carries its raw frame");
        Interlocked.Increment(ref _frames);
        foreach (var trade in trades) { _trades.Enqueue(trade); }
        return ValueTask.CompletedTask;
    }

    public ValueTask PublishAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        _deadLetters.Enqueue(letter);
        return ValueTask.CompletedTask;
    }
}
