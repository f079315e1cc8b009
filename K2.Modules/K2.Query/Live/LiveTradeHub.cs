using System.Threading.Channels;
using Confluent.Kafka;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Kafka;
using Microsoft.Extensions.Logging;

namespace K2.Query.Live;

/// <summary>A subscriber's view of the hub: trades held when it joined, then each new one, and where the held ones start.</summary>
internal sealed class LiveSubscription(Func<LiveTrade, bool> filter, int capacity) : IDisposable
{
    private readonly Channel<LiveTrade> _trades = Channel.CreateBounded<LiveTrade>(new BoundedChannelOptions(capacity) { SingleReader = true });

    public Func<LiveTrade, bool> Filter { get; } = filter;

    /// <summary>Per <c>topic/partition</c>, the first offset the hub still holds: every trade below it is in the hot tier.</summary>
    public IReadOnlyDictionary<string, long> HeldFrom { get; set; } = new Dictionary<string, long>();

    public ChannelReader<LiveTrade> Trades => _trades.Reader;

    /// <summary>True when the subscriber fell so far behind that its queue filled; the hub stops feeding it.</summary>
    public bool Overflowed { get; private set; }

    internal Action<LiveSubscription>? Leave { get; set; }

    internal void Offer(LiveTrade trade)
    {
        if (Overflowed || !Filter(trade)) { return; }
        if (_trades.Writer.TryWrite(trade)) { return; }
        Overflowed = true;
        _trades.Writer.TryComplete();
    }

    internal void Fail(Exception cause) => _trades.Writer.TryComplete(new IOException("the live trade source stopped", cause));

    public void Dispose() => Leave?.Invoke(this);
}

/// <summary>
/// Consumes the normalized trade topics for the live stream, whether the ingestors run in this process or elsewhere. It
/// starts from the ClickHouse consumer groups' committed offsets and keeps every trade from the latest committed offset
/// on (what the hot tier may not have stored yet), so a subscriber that replays stored trades first and then takes the
/// held and new ones misses nothing; the seam removes the overlap by Kafka position and trade key.
/// </summary>
internal sealed class LiveTradeHub(KafkaConnection kafka, HotTierSettings hot, ILogger logger) : IAsyncDisposable
{
    private static readonly TimeSpan TrimInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedList<LiveTrade>> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _heldFrom = new(StringComparer.Ordinal);
    private readonly List<LiveSubscription> _subscribers = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _consuming;
    private TaskCompletionSource? _started;

    /// <summary>Joins the stream (starting the consumer on first use); the subscription receives each trade <paramref name="filter"/> accepts.</summary>
    public async Task<(LiveSubscription Subscription, IReadOnlyList<LiveTrade> Held)> SubscribeAsync(Func<LiveTrade, bool> filter, int capacity, CancellationToken cancellationToken)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        var subscription = new LiveSubscription(filter, capacity);
        lock (_gate)
        {
            subscription.HeldFrom = new Dictionary<string, long>(_heldFrom, StringComparer.Ordinal);
            var held = _held.Values.SelectMany(p => p).Where(filter).OrderBy(t => t.ReceiveTsMicros).ToList();
            subscription.Leave = Remove;
            _subscribers.Add(subscription);
            QueryMetrics.LiveSubscribers.Set(_subscribers.Count);
            return (subscription, held);
        }
    }

    private void Remove(LiveSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscription);
            QueryMetrics.LiveSubscribers.Set(_subscribers.Count);
        }
    }

    private Task EnsureStartedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_started is null)
            {
                _started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _consuming = Task.Factory.StartNew(Consume, TaskCreationOptions.LongRunning);
            }

            return _started.Task.WaitAsync(cancellationToken);
        }
    }

    private void Consume()
    {
        IConsumer<Ignore, byte[]>? consumer = null;
        var groups = new List<(IConsumer<Ignore, Ignore> Group, List<TopicPartition> Partitions)>();
        try
        {
            // The daemon's brokers when it publishes; otherwise the ones ClickHouse consumes from.
            var servers = kafka.BootstrapServers ?? hot.KafkaBrokers;
            using (var admin = new AdminClientBuilder(kafka.Configure(new AdminClientConfig(), servers)).Build())
            {
                foreach (var exchange in ExchangeNames.All)
                {
                    var topic = hot.Topic(exchange);
                    var partitions = admin.GetMetadata(topic, Timeout).Topics
                        .Where(t => t.Topic == topic && !t.Error.IsError)
                        .SelectMany(t => t.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)))
                        .ToList();
                    if (partitions.Count == 0) { continue; }

                    // Only reads the group's committed offsets: never joins it, never commits.
                    groups.Add((new ConsumerBuilder<Ignore, Ignore>(kafka.Configure(new ConsumerConfig { GroupId = hot.ConsumerGroup(exchange), EnableAutoCommit = false }, servers)).Build(), partitions));
                }
            }

            var committed = Committed(groups);
            consumer = new ConsumerBuilder<Ignore, byte[]>(kafka.Configure(new ConsumerConfig
            {
                GroupId = "k2-query-live",
                EnableAutoCommit = false,
                EnableAutoOffsetStore = false,
                EnablePartitionEof = false,
            }, servers)).Build();
            lock (_gate)
            {
                foreach (var position in committed)
                {
                    var stream = Stream(position.TopicPartition);
                    _held[stream] = new LinkedList<LiveTrade>();
                    _heldFrom[stream] = position.Offset.Value;
                }
            }

            consumer.Assign(committed);
            Log.LiveStarted(logger, committed.Count);
            _started!.TrySetResult();
            var nextTrim = DateTime.UtcNow + TrimInterval;
            while (!_stop.IsCancellationRequested)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result?.Message is { } message) { Publish(result, message.Value); }
                if (DateTime.UtcNow >= nextTrim)
                {
                    Trim(Committed(groups));
                    nextTrim = DateTime.UtcNow + TrimInterval;
                }
            }
        }
        catch (Exception ex) when (ex is KafkaException or InvalidOperationException)
        {
            Log.LiveConsumeFailed(logger, ex);
            _started?.TrySetException(ex);
            lock (_gate)
            {
                _started = null;
                foreach (var subscriber in _subscribers) { subscriber.Fail(ex); }
            }
        }
        finally
        {
            consumer?.Close();
            consumer?.Dispose();
            foreach (var (group, _) in groups) { group.Dispose(); }
        }
    }

    private void Publish(ConsumeResult<Ignore, byte[]> result, byte[]? value)
    {
        var trade = value is null ? null : LiveTrade.FromMessage(value, result.Topic, result.Partition.Value, result.Offset.Value);
        if (trade is null)
        {
            Log.LiveBadMessage(logger, result.Topic, result.Partition.Value, result.Offset.Value);
            return;
        }

        lock (_gate)
        {
            _held[Stream(result.TopicPartition)].AddLast(trade);
            foreach (var subscriber in _subscribers) { subscriber.Offer(trade); }
        }
    }

    /// <summary>Drops held trades the hot tier has stored (below the consumer groups' committed offsets).</summary>
    private void Trim(IReadOnlyList<TopicPartitionOffset> committed)
    {
        lock (_gate)
        {
            foreach (var position in committed)
            {
                var stream = Stream(position.TopicPartition);
                if (!_held.TryGetValue(stream, out var held) || position.Offset.Value <= _heldFrom[stream]) { continue; }
                while (held.First is { } first && first.Value.Offset < position.Offset.Value) { held.RemoveFirst(); }
                _heldFrom[stream] = position.Offset.Value;
            }
        }
    }

    /// <summary>The ClickHouse consumer groups' next offsets per partition (the partition's start where a group has none).</summary>
    private static List<TopicPartitionOffset> Committed(IEnumerable<(IConsumer<Ignore, Ignore> Group, List<TopicPartition> Partitions)> groups) =>
        [.. groups.SelectMany(g => g.Group.Committed(g.Partitions, Timeout).Select(c => new TopicPartitionOffset(c.TopicPartition,
            c.Offset == Offset.Unset ? g.Group.QueryWatermarkOffsets(c.TopicPartition, Timeout).Low : c.Offset)))];

    private static string Stream(TopicPartition partition) => $"{partition.Topic}/{partition.Partition.Value}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_consuming is not null) { await _consuming.ConfigureAwait(false); }
        _stop.Dispose();
    }
}
