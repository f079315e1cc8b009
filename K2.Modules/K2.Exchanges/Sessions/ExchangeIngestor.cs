using K2.Core.Health;
using K2.Core.Trades;
using K2.Exchanges.Backfill;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;
using K2.Instruments;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Exchanges.Sessions;

/// <summary>
/// The hosted service of one exchange: resumes each symbol after its newest stored trade (<see cref="ResumePointLoader"/>),
/// takes this daemon's shard of the exchange's instruments, splits it into connection groups (at most
/// <see cref="IExchangeProtocol.SymbolsPerConnection"/> symbols each), runs a <see cref="StreamRunner"/> per group and
/// the gap backfiller, and applies instrument hot reloads as subscribe/unsubscribe on the live connections.
/// </summary>
internal sealed class ExchangeIngestor : BackgroundService, IReadinessCheck
{
    private readonly ExchangesOptions _options;
    private readonly IInstrumentRegistry _registry;
    private readonly SessionContext _context;
    private readonly GapBackfiller _backfiller;
    private readonly ResumePointLoader _resume;
    private readonly HttpClient _http;
    private readonly RestClient _rest;
    private readonly List<StreamRunner> _runners = [];
    private readonly List<Task> _runnerTasks = [];
    private readonly SemaphoreSlim _changeLock = new(1, 1);
    private volatile bool _started;

    public ExchangeIngestor(
        IExchangeAdapter adapter, ExchangesOptions options, IInstrumentRegistry registry, ITradeSink sink, IDeadLetterSink deadLetters,
        ITradeResumePoints? resumePoints, TimeProvider clock, ILoggerFactory loggers)
    {
        _options = options;
        _registry = registry;
        var exchange = adapter.Exchange;
        var logger = loggers.CreateLogger($"K2.Exchanges.{exchange}");
        var pipeline = new FramePipeline(adapter, registry.Current, clock);
        pipeline.Ledger.GapChanged += gap => LogGap(logger, exchange, gap);
        _context = new SessionContext(adapter, adapter.CreateProtocol(), pipeline, sink, deadLetters, clock, logger);
        _http = new HttpClient { Timeout = TimeSpan.FromMilliseconds(Math.Max(1000, adapter.Options.ConnectTimeoutMilliseconds)) };
        _rest = new RestClient(_http, exchange, TimeSpan.FromMilliseconds(adapter.Options.RestRequestIntervalMilliseconds), clock, logger);
        _backfiller = new GapBackfiller(pipeline, adapter, adapter.CreateRestSource(_rest), options.Resume, sink, deadLetters, clock, logger);
        _resume = new ResumePointLoader(resumePoints, options.Resume, adapter, pipeline, clock, logger);
    }

    public Exchange Exchange => _context.Exchange;

    public FramePipeline Pipeline => _context.Pipeline;

    public string Name => $"exchange:{_context.Label}";

    /// <summary>The symbols this daemon streams now, per connection group.</summary>
    public IReadOnlyList<IReadOnlyList<WireSymbol>> Groups
    {
        get
        {
            lock (_runners) { return _runners.Select(r => r.Symbols).ToArray(); }
        }
    }

    /// <summary>The symbols of each connection group and whether its connection is streaming.</summary>
    public IReadOnlyList<(IReadOnlyList<WireSymbol> Symbols, bool Streaming)> Streams
    {
        get
        {
            lock (_runners) { return _runners.Select(r => (r.Symbols, r.IsStreaming)).ToArray(); }
        }
    }

    /// <summary>Open gaps and the most recently closed ones.</summary>
    public IReadOnlyList<Gap> Gaps() => Pipeline.WithLedger(l => l.RecentGaps());

    public ReadinessResult Check()
    {
        lock (_runners)
        {
            if (!_started) { return ReadinessResult.NotReady("not started"); }
            if (_runners.Count == 0) { return ReadinessResult.Ready("no instruments in this shard"); }
            var streaming = _runners.Count(r => r.IsStreaming);
            return streaming == _runners.Count
                ? ReadinessResult.Ready($"{streaming} connection(s) streaming")
                : ReadinessResult.NotReady($"{streaming} of {_runners.Count} connection(s) streaming");
        }
    }

    public override void Dispose()
    {
        _rest.Dispose();
        _http.Dispose();
        _changeLock.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _resume.LoadAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (stoppingToken.IsCancellationRequested) { return; }
        var owned = Owned(_registry.Current);
        foreach (var group in owned.Chunk(GroupSize)) { StartRunner(group, stoppingToken); }
        _started = true;
        using var subscription = _registry.Subscribe(change => _ = ApplyAsync(change, stoppingToken));
        var backfill = _backfiller.RunAsync(stoppingToken);
        await stoppingToken.WhenCancelled();
        Task[] running;
        lock (_runners) { running = [.. _runnerTasks, backfill]; }
        await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        foreach (var gap in Pipeline.WithLedger(l => l.OpenGaps()))
        {
            Log.GapLeftOpen(_context.Logger, _context.Label, gap.Symbol, gap.FirstMissing, gap.LastMissing, gap.Remaining);
        }
    }

    private int GroupSize => _context.Protocol.SymbolsPerConnection;

    private IReadOnlyList<WireSymbol> Owned(InstrumentSet set) =>
        SymbolTable.From(_context.Adapter, set).All.Where(s => ShardFilter.Owns(s, _options.ShardIndex, _options.ShardCount)).ToArray();

    private void StartRunner(IEnumerable<WireSymbol> symbols, CancellationToken stoppingToken)
    {
        var runner = new StreamRunner(_context, symbols);
        lock (_runners)
        {
            _runners.Add(runner);
            _runnerTasks.Add(Task.Run(() => runner.RunAsync(stoppingToken), CancellationToken.None));
        }
    }

    /// <summary>A hot reload: symbols not yet streamed join a group with room (or a new group), dropped ones leave theirs. Idempotent.</summary>
    internal async Task ApplyAsync(InstrumentChange change, CancellationToken stoppingToken)
    {
        try
        {
            await _changeLock.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            Pipeline.UpdateSymbols(change.Current);
            StreamRunner[] runners;
            lock (_runners) { runners = [.. _runners]; }
            var streaming = runners.SelectMany(r => r.Symbols).Select(s => s.Wire).ToHashSet(StringComparer.Ordinal);
            var after = Owned(change.Current);
            var afterNames = after.Select(s => s.Wire).ToHashSet(StringComparer.Ordinal);
            var added = after.Where(s => !streaming.Contains(s.Wire)).ToList();
            var removedNames = streaming.Where(w => !afterNames.Contains(w)).ToHashSet(StringComparer.Ordinal);
            if (added.Count == 0 && removedNames.Count == 0) { return; }
            Log.InstrumentsChanged(_context.Logger, _context.Label, added.Count, removedNames.Count);
            foreach (var runner in runners)
            {
                var removedHere = runner.Symbols.Where(s => removedNames.Contains(s.Wire)).ToArray();
                var room = GroupSize - (runner.Symbols.Count - removedHere.Length);
                var addedHere = added.Take(Math.Max(0, room)).ToArray();
                added.RemoveRange(0, addedHere.Length);
                if (removedHere.Length > 0 || addedHere.Length > 0) { await runner.ChangeAsync(addedHere, removedHere, stoppingToken); }
            }

            foreach (var group in added.Chunk(GroupSize)) { StartRunner(group, stoppingToken); }
        }
        finally
        {
            _changeLock.Release();
        }
    }

    private static void LogGap(ILogger logger, Exchange exchange, Gap gap)
    {
        if (gap.Status == GapStatus.Open) { Log.GapOpened(logger, exchange.ToWire(), gap.Symbol, gap.FirstMissing, gap.LastMissing); }
        else { Log.GapClosed(logger, exchange.ToWire(), gap.Symbol, gap.FirstMissing, gap.LastMissing, gap.Status.ToString()); }
    }
}

internal static class CancellationTokenExtensions
{
    /// <summary>Completes when <paramref name="token"/> is cancelled.</summary>
    public static Task WhenCancelled(this CancellationToken token)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => completion.TrySetResult());
        return completion.Task;
    }
}
