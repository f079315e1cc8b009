using System.Globalization;
using System.Text.Json.Serialization;
using K2.Core.Trades;

namespace K2.Bench.Chaos;

internal enum FaultKind
{
    /// <summary>Every connection of one exchange reset.</summary>
    Drop,

    /// <summary>Every connection of one exchange reset after the first half of a frame.</summary>
    DropMidFrame,

    /// <summary>One exchange sends nothing on any connection, old or new.</summary>
    Stall,

    /// <summary>Every broker of the embedded Kafka cluster down.</summary>
    BrokerDown,

    /// <summary>SIGKILL, then a restart on the same data.</summary>
    Kill,

    /// <summary>SIGKILL once an offload run has committed its first table and not the others, then a restart.</summary>
    KillDuringOffload,

    /// <summary>Ten times the rate.</summary>
    Burst,
}

/// <summary>One fault of the schedule: planned at <see cref="At"/> from the start of trading, for <see cref="Length"/>.</summary>
internal sealed record Fault(FaultKind Kind, Exchange? Exchange, TimeSpan At, TimeSpan Length)
{
    [JsonPropertyName("fault")] public string Name => Exchange is { } e ? $"{Kind.ToWire()} {e.ToWire()}" : Kind.ToWire();

    [JsonPropertyName("planned_at_s")] public double PlannedAtSeconds => Math.Round(At.TotalSeconds, 1);

    [JsonPropertyName("planned_length_s")] public double PlannedLengthSeconds => Math.Round(Length.TotalSeconds, 1);

    /// <summary>The exchanges whose trades it holds up.</summary>
    public IReadOnlyList<Exchange> Affects => Exchange is { } e ? [e] : ExchangeNames.All;
}

internal static class FaultKindNames
{
    public static string ToWire(this FaultKind kind) => kind switch
    {
        FaultKind.Drop => "drop",
        FaultKind.DropMidFrame => "drop-mid-frame",
        FaultKind.Stall => "stall",
        FaultKind.BrokerDown => "broker-down",
        FaultKind.Kill => "sigkill",
        FaultKind.KillDuringOffload => "sigkill-during-offload",
        _ => "burst",
    };
}

/// <summary>
/// The fault schedule of a chaos run of a given length: the same for the same length and seed. Faults of the daemon
/// (kills, broker outage, burst) follow one another; stalls and drops of the exchanges fall among them. Every fault ends
/// while the exchanges still trade: a gap is seen, and filled, when the next trade arrives.
/// </summary>
internal static class ChaosPlan
{
    public static readonly TimeSpan StallLength = TimeSpan.FromSeconds(90);
    public static readonly TimeSpan BrokerDownLength = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan BurstLength = TimeSpan.FromSeconds(30);
    public const int BurstFactor = 10;

    /// <summary>Time between a SIGKILL and the restart.</summary>
    public static readonly TimeSpan DownAfterKill = TimeSpan.FromSeconds(5);

    /// <summary>Every this many REST requests one is answered 429 with <c>Retry-After: 1</c>.</summary>
    public const int RateLimitEvery = 4;

    public static IReadOnlyList<Fault> For(TimeSpan duration, bool embeddedBroker, int seed)
    {
        TimeSpan At(double fraction) => TimeSpan.FromSeconds(Math.Round(duration.TotalSeconds * fraction));
        var faults = new List<Fault>
        {
            new(FaultKind.Stall, Exchange.Binance, At(0.08), StallLength),
            new(FaultKind.Kill, null, At(0.22), DownAfterKill),
            new(FaultKind.Stall, Exchange.Kraken, At(0.30), StallLength),
            new(FaultKind.Stall, Exchange.Coinbase, At(0.50), StallLength),

            // Armed here, it strikes at the next offload run's first commit: within a minute (offloads run every minute).
            new(FaultKind.KillDuringOffload, null, At(0.55), DownAfterKill),
            new(FaultKind.Burst, null, At(0.80), BurstLength),
        };

        // The outage is scheduled in the daemon started after the first kill (its embedded cluster dies with it).
        if (embeddedBroker) { faults.Add(new Fault(FaultKind.BrokerDown, null, At(0.40), BrokerDownLength)); }
        var random = new Random(seed);
        var dropsPerExchange = Math.Max(2, (int)(duration.TotalMinutes / 4));
        foreach (var exchange in ExchangeNames.All)
        {
            for (var i = 0; i < dropsPerExchange; i++)
            {
                var at = TimeSpan.FromSeconds(Math.Round(duration.TotalSeconds * (0.05 + (0.8 * random.NextDouble()))));
                faults.Add(new Fault(i % 2 == 0 ? FaultKind.DropMidFrame : FaultKind.Drop, exchange, at, TimeSpan.Zero));
            }
        }

        return [.. faults.OrderBy(f => f.At)];
    }

    /// <summary>Shortest run whose faults all end while the exchanges still trade (the last stall ends at 0.5 × length + 90 s).</summary>
    public static readonly TimeSpan ShortestRun = TimeSpan.FromMinutes(4);

    /// <summary>The schedule as printed at the start of a run.</summary>
    public static string Describe(IReadOnlyList<Fault> faults, bool embeddedBroker) =>
        string.Join('\n', faults.Select(f => string.Create(CultureInfo.InvariantCulture, $"  {f.At:hh\\:mm\\:ss}  {f.Name,-24} {(f.Length > TimeSpan.Zero ? $"{f.Length.TotalSeconds:0} s" : "")}"))
            .Append($"  throughout: every {RateLimitEvery}th REST request answered 429 with Retry-After: 1")
            .Concat(embeddedBroker ? [] : ["  broker-down: not injected (external broker given with --bootstrap: stop it yourself to rehearse an outage)"]));
}
