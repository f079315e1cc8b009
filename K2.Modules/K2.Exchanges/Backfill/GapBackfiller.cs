using K2.Core.Time;
using K2.Core.Trades;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;
using Microsoft.Extensions.Logging;

namespace K2.Exchanges.Backfill;

/// <summary>
/// Recovers open gaps over REST — a restart's gap included — once they have been open for the grace period (late
/// trades and reconnect snapshots usually fill them first). Each gap is walked page by page through the exchange's REST
/// source, as far back as the horizon (<see cref="ResumeOptions.MaxAgeMinutes"/>), until it is filled or the walk has
/// covered it. Recovered trades go through the same dedup and sink as live ones; rows that fail validation go to the
/// dead-letter path as rejected frames do, once per gap. A covered gap with ids still missing is
/// <see cref="GapStatus.Absent"/> when the exchange skips ids (<see cref="IExchangeAdapter.SkipsTradeIds"/>), the walk
/// saw the whole gap and no row was rejected; otherwise those trades are lost, counted and logged. A failed or
/// incomplete walk is tried again, each time later, until the gap falls behind the horizon.
/// </summary>
internal sealed class GapBackfiller(
    FramePipeline pipeline, IExchangeAdapter adapter, IRestTradeSource source, ResumeOptions resume, ITradeSink sink, IDeadLetterSink deadLetters, TimeProvider clock, ILogger logger)
{
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromMinutes(1);
    private readonly Dictionary<Gap, (int Attempts, long NextAtUs)> _retries = [];
    private readonly Dictionary<Gap, HashSet<string>> _rejected = [];
    private readonly string _label = adapter.Exchange.ToWire();
    private readonly ExchangeOptions _options = adapter.Options;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromMilliseconds(Math.Max(20, _options.GapGraceMilliseconds / 4));
        using var timer = new PeriodicTimer(period, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken)) { await PassAsync(cancellationToken); }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass over the gaps that are due, oldest first.</summary>
    public async Task PassAsync(CancellationToken cancellationToken)
    {
        var nowUs = UnixMicros.Now(clock);
        var open = pipeline.WithLedger(l => l.OpenGaps());
        ForgetClosed(open);
        var due = open
            .Where(g => nowUs - g.OpenedAtUs >= _options.GapGraceMilliseconds * 1000L && (!_retries.TryGetValue(g, out var retry) || retry.NextAtUs <= nowUs))
            .OrderBy(g => g.OpenedAtUs)
            .ToArray();
        foreach (var gap in due)
        {
            if (gap.Status != GapStatus.Open) { continue; }
            var symbols = pipeline.Symbols;
            var horizon = clock.GetUtcNow() - resume.MaxAge;
            if (!_options.BackfillEnabled) { Lose(gap, "backfill is off"); }
            else if (!symbols.TryFind(System.Text.Encoding.UTF8.GetBytes(gap.Symbol), out var symbol)) { Lose(gap, "the symbol is no longer configured"); }
            else if (gap.AfterTimestampUs < Micros(horizon)) { Lose(gap, $"older than Resume:MaxAgeMinutes ({resume.MaxAgeMinutes})"); }
            else { await BackfillAsync(symbols, symbol, gap, horizon, cancellationToken); }
        }
    }

    private async Task BackfillAsync(SymbolTable symbols, WireSymbol symbol, Gap gap, DateTimeOffset horizon, CancellationToken cancellationToken)
    {
        int pages = 0, recovered = 0;
        var covered = false;
        try
        {
            await foreach (var page in source.WalkAsync(symbols, symbol, gap, horizon, cancellationToken))
            {
                pages++;
                recovered += await TakeAsync(page, gap, cancellationToken);
                covered = page.CoversGap;
                if (gap.Status != GapStatus.Open) { break; }
            }
        }
        catch (FrameRejectedException ex)
        {
            Retry(gap, $"{ex.Reason}: {ex.Message}");
            return;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Retry(gap, ex.Message);
            return;
        }
        finally
        {
            if (recovered > 0) { Log.Backfilled(logger, _label, gap.Symbol, gap.FirstMissing, gap.LastMissing, recovered, pages); }
        }

        if (gap.Status != GapStatus.Open) { return; }
        if (!covered)
        {
            Retry(gap, "the exchange's REST trades do not reach the end of the gap yet");
            return;
        }

        var walkedWhole = gap.BeforeTimestampUs >= Micros(horizon);
        if (adapter.SkipsTradeIds && walkedWhole && !_rejected.ContainsKey(gap)) { Close(gap, GapStatus.Absent); }
        else if (!walkedWhole) { Lose(gap, $"older than Resume:MaxAgeMinutes ({resume.MaxAgeMinutes})"); }
        else { Lose(gap, _rejected.ContainsKey(gap) ? "rows of the REST answer were rejected" : "not in the exchange's REST trades"); }
    }

    /// <summary>Dead-letters the page's rejected rows (once per gap) and hands its trades of the gap to the ledger and sink; returns how many were new.</summary>
    private async Task<int> TakeAsync(RestPage page, Gap gap, CancellationToken cancellationToken)
    {
        var receivedUs = UnixMicros.Now(clock);
        foreach (var reject in page.Rejects)
        {
            // Asked again, the exchange answers the same bad row again: it is set aside once.
            if (!RejectedRows(gap).Add(reject.RawText)) { continue; }
            await FrameDispatch.RejectAsync(adapter.Exchange, deadLetters, logger, reject.Outcome, reject.RawText, receivedUs, cancellationToken);
        }

        var inGap = page.Trades.Where(t => gap.Contains(t.Id))
            .Select(t => t with { Trade = t.Trade with { ReceiveTimestampUs = receivedUs } }).ToArray();
        if (inGap.Length == 0) { return 0; }
        var unique = new List<NormalizedTrade>();
        pipeline.AcceptBackfill(inGap, unique);
        if (unique.Count == 0) { return 0; }
        await sink.PublishAsync(adapter.Exchange, page.Body, unique, receivedUs, cancellationToken);
        ExchangeMetrics.BackfilledTrades.WithLabels(_label, gap.Symbol).Inc(unique.Count);
        return unique.Count;
    }

    private HashSet<string> RejectedRows(Gap gap)
    {
        if (!_rejected.TryGetValue(gap, out var rows)) { _rejected[gap] = rows = new HashSet<string>(StringComparer.Ordinal); }
        return rows;
    }

    private void Retry(Gap gap, string why)
    {
        var attempts = _retries.GetValueOrDefault(gap).Attempts + 1;
        var delay = TimeSpan.FromMilliseconds(Math.Min(Math.Max(_options.GapGraceMilliseconds, 100) * Math.Pow(2, Math.Min(attempts, 20)), LongestRetryDelay.TotalMilliseconds));
        _retries[gap] = (attempts, UnixMicros.Now(clock) + (long)delay.TotalMicroseconds);
        Log.BackfillFailed(logger, _label, gap.Symbol, $"{why}; attempt {attempts}, next in {(long)delay.TotalMilliseconds} ms");
    }

    private void Lose(Gap gap, string why)
    {
        Log.TradesLost(logger, _label, gap.Symbol, gap.FirstMissing, gap.LastMissing, gap.Remaining, why);
        Close(gap, GapStatus.Lost);
    }

    private void Close(Gap gap, GapStatus status)
    {
        pipeline.WithLedger(l =>
        {
            l.Close(gap, status, UnixMicros.Now(clock));
            return true;
        });
        _retries.Remove(gap);
        _rejected.Remove(gap);
    }

    private void ForgetClosed(IReadOnlyList<Gap> open)
    {
        var stillOpen = open.ToHashSet();
        foreach (var gap in _retries.Keys.Concat(_rejected.Keys).Where(g => !stillOpen.Contains(g)).ToArray())
        {
            _retries.Remove(gap);
            _rejected.Remove(gap);
        }
    }

    private static long Micros(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
}
