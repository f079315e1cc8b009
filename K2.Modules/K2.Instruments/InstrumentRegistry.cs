using Microsoft.Extensions.Logging;
using Prometheus;

namespace K2.Instruments;

/// <summary>Holds the last good <see cref="InstrumentSet"/>; an invalid reload keeps it and is reported.</summary>
internal sealed class InstrumentRegistry(InstrumentSet initial, string path, ILogger<InstrumentRegistry> logger) : IInstrumentRegistry
{
    private static readonly Counter Reloads = Metrics.CreateCounter(
        "k2_instruments_reloads_total", "Reloads of instruments.yaml by result (applied, unchanged, invalid).", "result");

    private static readonly Gauge Valid = Metrics.CreateGauge(
        "k2_instruments_file_valid", "1 when the last read of instruments.yaml was valid, 0 when an invalid edit is being ignored.");

    private static readonly Gauge Count = Metrics.CreateGauge(
        "k2_instruments_configured", "Instruments in the active registry.", "exchange");

    private readonly Lock _gate = new();
    private readonly List<Action<InstrumentChange>> _subscribers = [];
    private InstrumentSet _current = Publish(initial);

    public InstrumentSet Current => Volatile.Read(ref _current);

    public string Path { get; } = path;

    public IDisposable Subscribe(Action<InstrumentChange> onChange)
    {
        lock (_gate) { _subscribers.Add(onChange); }
        return new Subscription(this, onChange);
    }

    /// <summary>Re-reads the file; returns the change applied, or null when nothing changed or the edit was invalid.</summary>
    public InstrumentChange? Reload()
    {
        InstrumentSet next;
        try
        {
            next = InstrumentsFileParser.ParseFile(Path);
        }
        catch (InstrumentsFileException ex)
        {
            Reloads.WithLabels("invalid").Inc();
            Valid.Set(0);
            Log.InvalidEdit(logger, Path, string.Join("; ", ex.Problems));
            return null;
        }

        Valid.Set(1);
        Action<InstrumentChange>[] subscribers;
        InstrumentChange change;
        lock (_gate)
        {
            var previous = _current;
            var before = previous.All.ToHashSet();
            var after = next.All.ToHashSet();
            var added = next.All.Where(i => !before.Contains(i)).ToArray();
            var removed = previous.All.Where(i => !after.Contains(i)).ToArray();
            if (added.Length == 0 && removed.Length == 0)
            {
                Reloads.WithLabels("unchanged").Inc();
                return null;
            }

            Volatile.Write(ref _current, Publish(next));
            change = new InstrumentChange(previous, next, added, removed);
            subscribers = _subscribers.ToArray();
        }

        Reloads.WithLabels("applied").Inc();
        Log.Reloaded(logger, Path, change.Added.Count, change.Removed.Count, next.All.Count);
        foreach (var subscriber in subscribers)
        {
            try
            {
                subscriber(change);
            }
            catch (Exception ex)
            {
                Log.SubscriberFailed(logger, ex);
            }
        }

        return change;
    }

    private static InstrumentSet Publish(InstrumentSet set)
    {
        Valid.Set(1);
        foreach (var exchange in K2.Core.Trades.ExchangeNames.All)
        {
            Count.WithLabels(K2.Core.Trades.ExchangeNames.ToWire(exchange)).Set(set.For(exchange).Count);
        }

        return set;
    }

    private sealed class Subscription(InstrumentRegistry owner, Action<InstrumentChange> onChange) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._gate) { owner._subscribers.Remove(onChange); }
        }
    }
}
