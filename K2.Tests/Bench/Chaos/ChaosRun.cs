using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using K2.ClickHouse.Schema;
using K2.Core.Trades;

namespace K2.Bench.Chaos;

/// <summary>One minute of the run: the daemon's peak RSS and its CPU use (100 = one core).</summary>
internal sealed record MinuteFigures(
    [property: JsonPropertyName("minute")] int Minute,
    [property: JsonPropertyName("rss_max_mb")] double RssMaxMegabytes,
    [property: JsonPropertyName("cpu_percent")] double CpuPercent);

/// <summary>
/// A chaos run under way: paces the exchanges' trading, injects the faults when due, watches the daemon's log for the
/// moments it reports (outage, offload commits), samples silver's newest trade per exchange every second (recovery),
/// the daemon's RSS, CPU and spool every five seconds, then drains and waits for the final offload.
/// </summary>
internal sealed partial class ChaosRun(IReadOnlyList<ChaosExchange> exchanges, ChaosProbe probe, List<FaultRecord> faults)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan RecoveryPeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ResourcePeriod = TimeSpan.FromSeconds(5);
    private static readonly string[] SpoolGauges = ["k2_kafka_spool_records", "k2_kafka_spool_bytes"];

    private readonly Stopwatch _clock = new();
    private readonly CancellationTokenSource _sampling = new();
    private readonly List<(double At, Dictionary<string, long> NewestUs)> _newest = [];
    private readonly List<(double At, int Pid, double Rss, double Cpu)> _resources = [];
    private readonly List<(double At, double Seconds)> _offloadRuns = [];
    private readonly Lock _gate = new();
    private readonly List<Task> _samplers = [];
    private DateTimeOffset _tradingStart;
    private long _burstUntilTicks;
    private TaskCompletionSource? _offloadCommitted;

    public IReadOnlyList<ChaosExchange> Exchanges => exchanges;

    public IReadOnlyList<FaultRecord> Faults => faults;

    public double TradingSeconds { get; private set; }

    public double FinalOffloadSeconds { get; private set; }

    public double SpoolPeakRecords { get; private set; }

    public double SpoolPeakBytes { get; private set; }

    public IReadOnlyList<MinuteFigures> Minutes
    {
        get
        {
            lock (_gate)
            {
                return [.. _resources.GroupBy(r => (int)(r.At / 60)).Select(m =>
                {
                    var samples = m.ToList();
                    double used = 0, span = 0;
                    for (var i = 1; i < samples.Count; i++)
                    {
                        if (samples[i].Pid != samples[i - 1].Pid) { continue; }
                        used += samples[i].Cpu - samples[i - 1].Cpu;
                        span += samples[i].At - samples[i - 1].At;
                    }

                    return new MinuteFigures(m.Key, samples.Max(s => s.Rss), span > 0 ? Math.Round(used / span * 100, 1) : 0);
                })];
            }
        }
    }

    private double Now => _clock.Elapsed.TotalSeconds;

    /// <summary>
    /// Acts on the daemon's log events the schedule depends on: 3019/3020 (the outage), 6000 (an offload table committed),
    /// 6004 (a run finished). Matched with their messages: libraries log under event ids of their own.
    /// </summary>
    public void OnDaemonLine(int start, string line)
    {
        if (!line.Contains("\"EventId\":", StringComparison.Ordinal)) { return; }
        if (Event(line, 6000, "Offload of ")) { Volatile.Read(ref _offloadCommitted)?.TrySetResult(); }
        else if (Event(line, 6004, "Offload run ") && RunSeconds().Match(line) is { Success: true } m)
        {
            lock (_gate) { _offloadRuns.Add((Now, double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))); }
        }
        else if (Event(line, 3019, "Embedded cluster: scheduled outage,") && Record(FaultKind.BrokerDown) is { } began) { began.Began = Math.Round(Now, 1); }
        else if (Event(line, 3020, "Embedded cluster: scheduled outage over") && Record(FaultKind.BrokerDown) is { } ended) { ended.Ended = Math.Round(Now, 1); }
    }

    public async Task WaitUntilListenedAsync(ChaosDaemon daemon, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!exchanges.All(e => e.Listened))
        {
            if (!daemon.IsRunning) { throw new InvalidOperationException($"the daemon exited before subscribing; see daemon-{daemon.Starts}.log in the data folder"); }
            if (deadline.Elapsed > timeout) { throw new TimeoutException($"the daemon did not subscribe to every symbol within {timeout.TotalSeconds} s"); }
            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>Trades at <paramref name="rate"/> (ten times that in the burst) for <paramref name="duration"/> while the faults happen.</summary>
    public async Task TradeAsync(ChaosDaemon daemon, double rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        _tradingStart = DateTimeOffset.UtcNow;
        _clock.Start();
        _samplers.Add(Task.Run(() => SampleNewestAsync(_sampling.Token), CancellationToken.None));
        _samplers.Add(Task.Run(() => SampleResourcesAsync(daemon, _sampling.Token), CancellationToken.None));
        var injecting = InjectAsync(daemon, duration, cancellationToken);
        var owed = new double[exchanges.Count];
        var shares = exchanges.Select(e => e.Exchange switch { Exchange.Binance => 0.6, _ => 0.2 }).ToArray();
        var last = _clock.Elapsed;
        while (_clock.Elapsed < duration)
        {
            daemon.EnsureNotExited();
            await Task.Delay(Tick, cancellationToken);
            var now = _clock.Elapsed;
            var factor = DateTime.UtcNow.Ticks < Interlocked.Read(ref _burstUntilTicks) ? ChaosPlan.BurstFactor : 1;
            var wall = DateTimeOffset.UtcNow;
            for (var i = 0; i < exchanges.Count; i++)
            {
                owed[i] += rate * factor * shares[i] * (now - last).TotalSeconds;
                var count = (int)owed[i];
                owed[i] -= count;
                if (count > 0) { await exchanges[i].TradeAsync(count, wall); }
            }

            last = now;
        }

        TradingSeconds = Now;
        await injecting;
    }

    /// <summary>Waits until silver holds every made trade; returns how long that took.</summary>
    public async Task<double> DrainAsync(ChaosDaemon daemon, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Now;
        var generated = exchanges.ToDictionary(e => e.Exchange.ToWire(), e => e.Generated);
        while (Now - started < timeout.TotalSeconds)
        {
            daemon.EnsureNotExited();
            var rows = await probe.TryQueryAsync($"SELECT exchange, uniqExact(symbol, trade_id) FROM k2.{HotTierMigrations.SilverTable} GROUP BY exchange", cancellationToken);
            if (rows is not null && generated.All(g => rows.Any(r => r[0] == g.Key && long.Parse(r[1], CultureInfo.InvariantCulture) >= g.Value))) { break; }
            await Task.Delay(1000, cancellationToken);
        }

        ComputeRecoveries();
        return Now - started;
    }

    /// <summary>
    /// Waits until every candle is closed longer than <paramref name="lateness"/>, then for an offload run that started
    /// after that; returns the moment from which the run's offload is complete.
    /// </summary>
    public async Task<DateTimeOffset> FinalOffloadAsync(ChaosDaemon daemon, TimeSpan lateness, CancellationToken cancellationToken)
    {
        var closed = _tradingStart.AddSeconds(TradingSeconds) + lateness + TimeSpan.FromSeconds(6);
        if (closed > DateTimeOffset.UtcNow) { await Task.Delay(closed - DateTimeOffset.UtcNow, cancellationToken); }
        var from = Now;
        var cutoff = DateTimeOffset.UtcNow;
        var deadline = from + 300;
        while (Now < deadline)
        {
            daemon.EnsureNotExited();
            lock (_gate)
            {
                if (_offloadRuns.FirstOrDefault(r => r.At - r.Seconds >= from) is { At: > 0 } run)
                {
                    FinalOffloadSeconds = run.Seconds;
                    return cutoff;
                }
            }

            await Task.Delay(500, cancellationToken);
        }

        throw new TimeoutException("no offload run started and finished within 5 minutes after the drain");
    }

    public void StopSampling()
    {
        if (!_sampling.IsCancellationRequested) { _sampling.Cancel(); }
    }

    /// <summary>
    /// The kills one after the other (the second waits for an offload commit, which can take a minute); the exchanges'
    /// faults and the burst on their own times, so that a late kill does not push the burst to the end of trading, where
    /// no trade would follow it to measure its recovery.
    /// </summary>
    private Task InjectAsync(ChaosDaemon daemon, TimeSpan duration, CancellationToken cancellationToken) => Task.WhenAll(
        InjectInTurnAsync(daemon, duration, faults.Where(f => f.Fault.Kind is FaultKind.Kill or FaultKind.KillDuringOffload), cancellationToken),
        InjectInTurnAsync(daemon, duration, faults.Where(f => f.Fault.Kind is not (FaultKind.Kill or FaultKind.KillDuringOffload or FaultKind.BrokerDown)), cancellationToken));

    private async Task InjectInTurnAsync(ChaosDaemon daemon, TimeSpan duration, IEnumerable<FaultRecord> records, CancellationToken cancellationToken)
    {
        foreach (var record in records)
        {
            var fault = record.Fault;
            if (fault.At >= duration) { record.Note = "after the end of trading"; continue; }
            if (fault.At > _clock.Elapsed) { await Task.Delay(fault.At - _clock.Elapsed, cancellationToken); }
            switch (fault.Kind)
            {
                case FaultKind.Drop or FaultKind.DropMidFrame:
                    record.Began = record.Ended = Math.Round(Now, 1);
                    await ExchangeOf(fault).DropAsync(fault.Kind == FaultKind.DropMidFrame);
                    break;
                case FaultKind.Stall:
                    record.Began = Math.Round(Now, 1);
                    ExchangeOf(fault).Stall(fault.Length);
                    record.Ended = Math.Round(Now + fault.Length.TotalSeconds, 1);
                    break;
                case FaultKind.Burst:
                    record.Began = Math.Round(Now, 1);
                    Interlocked.Exchange(ref _burstUntilTicks, DateTime.UtcNow.Add(fault.Length).Ticks);
                    record.Ended = Math.Round(Now + fault.Length.TotalSeconds, 1);
                    break;
                case FaultKind.Kill:
                    await KillAndRestartAsync(daemon, record, cancellationToken);
                    break;
                case FaultKind.KillDuringOffload:
                    // Not while the outage is on: the kill would end it with the process.
                    while (Record(FaultKind.BrokerDown) is { Began: not null, Ended: null } && _clock.Elapsed < duration) { await Task.Delay(500, cancellationToken); }
                    var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    Volatile.Write(ref _offloadCommitted, committed);
                    var left = duration - _clock.Elapsed;
                    if (left <= TimeSpan.Zero || await Task.WhenAny(committed.Task, Task.Delay(left, cancellationToken)) != committed.Task)
                    {
                        record.Note = "no offload committed a table before the end of trading";
                        break;
                    }

                    await KillAndRestartAsync(daemon, record, cancellationToken);
                    record.Note = "killed right after an offload run committed its first table, before the others";
                    break;
            }
        }
    }

    /// <summary>SIGKILL, a pause, a restart; a broker outage still to come is scheduled in the restarted daemon.</summary>
    private async Task KillAndRestartAsync(ChaosDaemon daemon, FaultRecord record, CancellationToken cancellationToken)
    {
        record.Began = Math.Round(Now, 1);
        daemon.Kill();
        await Task.Delay(record.Fault.Length, cancellationToken);
        var extra = new Dictionary<string, string>();
        if (Record(FaultKind.BrokerDown) is { Began: null } outage && outage.Fault.At > _clock.Elapsed)
        {
            extra["K2__Modules__Kafka__EmbeddedOutage__AfterSeconds"] = Math.Max(1, (int)(outage.Fault.At - _clock.Elapsed).TotalSeconds).ToString(CultureInfo.InvariantCulture);
            extra["K2__Modules__Kafka__EmbeddedOutage__Seconds"] = ((int)outage.Fault.Length.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        daemon.Start(extra);
        record.Ended = Math.Round(Now, 1);
    }

    private static bool Event(string line, int id, string message) =>
        line.Contains($"\"EventId\":{id.ToString(CultureInfo.InvariantCulture)},", StringComparison.Ordinal) && line.Contains($"\"Message\":\"{message}", StringComparison.Ordinal);

    private ChaosExchange ExchangeOf(Fault fault) => exchanges.Single(e => e.Exchange == fault.Exchange);

    private FaultRecord? Record(FaultKind kind) => faults.FirstOrDefault(f => f.Fault.Kind == kind);

    private void ComputeRecoveries()
    {
        List<(double At, Dictionary<string, long> NewestUs)> samples;
        lock (_gate) { samples = [.. _newest]; }
        foreach (var record in faults.Where(f => f.Ended is not null))
        {
            var ended = record.Ended!.Value;
            var endedUs = _tradingStart.AddSeconds(ended).ToUnixTimeMilliseconds() * 1000;
            foreach (var exchange in record.Fault.Affects)
            {
                var name = exchange.ToWire();
                var first = samples.FirstOrDefault(s => s.At >= ended && s.NewestUs.GetValueOrDefault(name) > endedUs);
                if (first.NewestUs is null)
                {
                    record.Recovery[name] = null;
                    continue;
                }

                var recovered = first.At;
                record.Recovery[name] = Math.Round(recovered - ended, 1);
                var other = faults.FirstOrDefault(g => g != record && g.Began is { } began && began <= recovered && (g.Ended ?? double.MaxValue) >= ended
                    && g.Fault.Kind != FaultKind.Burst && g.Fault.Affects.Contains(exchange));
                if (other is not null) { record.MaskedBy[name] = other.Name; }
            }
        }
    }

    private async Task SampleNewestAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RecoveryPeriod);
        while (await Wait(timer, cancellationToken))
        {
            var at = Now;
            var rows = await probe.TryQueryAsync(
                $"SELECT exchange, toUnixTimestamp64Micro(max(exchange_ts)) FROM k2.{HotTierMigrations.SilverTable} WHERE exchange_ts > now64(6) - INTERVAL 15 MINUTE GROUP BY exchange",
                cancellationToken);
            if (rows is null) { continue; }
            lock (_gate) { _newest.Add((at, rows.ToDictionary(r => r[0], r => long.Parse(r[1], CultureInfo.InvariantCulture)))); }
        }
    }

    private async Task SampleResourcesAsync(ChaosDaemon daemon, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(ResourcePeriod);
        while (await Wait(timer, cancellationToken))
        {
            if (daemon.ProcessId is { } pid && ChaosProbe.Process(pid) is { } figures)
            {
                lock (_gate) { _resources.Add((Now, pid, figures.RssMegabytes, figures.CpuSeconds)); }
            }

            if (await probe.TryMetricsAsync(SpoolGauges, cancellationToken) is { } gauges)
            {
                SpoolPeakRecords = Math.Max(SpoolPeakRecords, gauges.GetValueOrDefault(SpoolGauges[0]));
                SpoolPeakBytes = Math.Max(SpoolPeakBytes, gauges.GetValueOrDefault(SpoolGauges[1]));
            }
        }
    }

    private static async Task<bool> Wait(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"in (\d+(?:\.\d+)?) s")]
    private static partial Regex RunSeconds();
}
