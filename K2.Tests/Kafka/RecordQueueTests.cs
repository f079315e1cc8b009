using System.Text;
using System.Threading.Channels;
using K2.Core.Trades;
using K2.Kafka.Publishing;

namespace K2.Tests.Kafka;

[TestFixture]
public sealed class RecordQueueTests
{
    private const int Capacity = 8;

    [Test]
    public async Task A_full_queue_holds_writers_until_it_has_drained_to_half_then_keeps_fifo_order()
    {
        var queue = new RecordQueue(Capacity);
        for (var i = 0; i < Capacity; i++) { await queue.WriteAsync(Record(i), CancellationToken.None); }
        var waiting = queue.WriteAsync(Record(Capacity), CancellationToken.None).AsTask();
        waiting.IsCompleted.Should().BeFalse("the queue is full");

        var read = new List<string>();
        for (var i = 0; i < Capacity / 2 - 1; i++) { read.Add(Next(queue)); }
        waiting.IsCompleted.Should().BeFalse("the queue has not drained to half yet");
        read.Add(Next(queue));
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        while (queue.TryRead(out var record)) { read.Add(Text(record)); }
        read.Should().Equal(Enumerable.Range(0, Capacity + 1).Select(i => $"r{i}"));
    }

    [Test]
    public async Task Closing_fails_waiting_and_later_writers_but_what_is_queued_can_still_be_read()
    {
        var queue = new RecordQueue(Capacity);
        for (var i = 0; i < Capacity; i++) { await queue.WriteAsync(Record(i), CancellationToken.None); }
        var waiting = queue.WriteAsync(Record(Capacity), CancellationToken.None).AsTask();
        var cause = new InvalidOperationException("pump failed");

        queue.Close(cause);

        (await waiting.Invoking(w => w.WaitAsync(TimeSpan.FromSeconds(10))).Should().ThrowAsync<ChannelClosedException>())
            .WithInnerException<InvalidOperationException>().WithMessage("pump failed");
        await queue.Invoking(q => q.WriteAsync(Record(99), CancellationToken.None).AsTask()).Should().ThrowAsync<ChannelClosedException>();
        queue.IsCompleted.Should().BeFalse("records are still queued");
        var count = 0;
        while (queue.TryRead(out _)) { count++; }
        count.Should().Be(Capacity);
        queue.IsCompleted.Should().BeTrue();
    }

    [Test]
    public async Task A_waiting_reader_wakes_on_the_first_record()
    {
        var queue = new RecordQueue(Capacity);
        var waiting = queue.WaitToReadAsync(TimeSpan.FromMinutes(1));
        waiting.IsCompleted.Should().BeFalse();

        await queue.WriteAsync(Record(0), CancellationToken.None);

        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        queue.Count.Should().Be(1);
    }

    private static OutboundRecord Record(int i) =>
        new(RecordKind.Trade, Exchange.Binance, "binance|BTCUSDT"u8.ToArray(), Encoding.UTF8.GetBytes($"r{i}"), 0);

    private static string Next(RecordQueue queue) => queue.TryRead(out var record) ? Text(record) : throw new InvalidOperationException("queue empty");

    private static string Text(OutboundRecord record) => Encoding.UTF8.GetString(record.Value);
}
