using K2.Core.Time;
using K2.Core.Trades;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;
using Microsoft.Extensions.Logging;

namespace K2.Exchanges.Backfill;

/// <summary>
/// Recovers open gaps over REST once they have been open for the grace period (late trades and
/// reconnect snapshots usually fill them first). Recovered trades go through the same dedup and sink as
/// live ones, and rows that fail validation go to the dead-letter path as rejected frames do. A gap still
/// open after the REST answer covers it is <see cref="GapStatus.Absent"/> when the exchange is known to
/// skip ids (<see cref="IExchangeAdapter.SkipsTradeIds"/>) and no row was rejected, <see cref="GapStatus.Lost"/> otherwise; so is
/// one the REST endpoint could not cover after <see cref="MaxAttempts"/> tries.
/// </summary>
internal sealed class GapBackfiller(FramePipeline pipeline, IExchangeAdapter adapter, IRestTradeSource source, ITradeSink sink, IDeadLetterSink deadLetters, TimeProvider clock, ILogger logger)
{
    public const int MaxAttempts = 3;
    private readonly Dictionary<Gap, int> _attempts = [];
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

    /// <summary>One pass over the gaps that are due.</summary>
    public async Task PassAsync(CancellationToken cancellationToken)
    {
        var now = UnixMicros.Now(clock);
        var due = pipeline.WithLedger(l => l.OpenGaps()).Where(g => now - g.OpenedAtUs >= _options.GapGraceMilliseconds * 1000L).ToArray();
        foreach (var gap in due)
        {
            var symbols = pipeline.Symbols;
            if (!_options.BackfillEnabled || !symbols.TryFind(System.Text.Encoding.UTF8.GetBytes(gap.Symbol), out var symbol))
            {
                Close(gap, GapStatus.Lost);
                continue;
            }

            await BackfillAsync(symbols, symbol, gap, cancellationToken);
        }
    }

    private async Task BackfillAsync(SymbolTable symbols, WireSymbol symbol, Gap gap, CancellationToken cancellationToken)
    {
        RestPage page;
        try
        {
            page = await source.FetchAsync(symbols, symbol, gap, cancellationToken);
        }
        catch (FrameRejectedException ex)
        {
            Log.BackfillFailed(logger, _label, gap.Symbol, $"{ex.Reason}: {ex.Message}");
            CountAttempt(gap);
            return;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.BackfillFailed(logger, _label, gap.Symbol, ex.Message);
            CountAttempt(gap);
            return;
        }

        var receivedUs = UnixMicros.Now(clock);
        foreach (var reject in page.Rejects)
        {
            // Asked again, the exchange answers the same bad row again: it is set aside once.
            if (!RejectedBefore(gap).Add(reject.RawText)) { continue; }
            await FrameDispatch.RejectAsync(adapter.Exchange, deadLetters, logger, reject.Outcome, reject.RawText, receivedUs, cancellationToken);
        }

        var inGap = page.Trades.Where(t => gap.Contains(t.Id))
            .Select(t => t with { Trade = t.Trade with { ReceiveTimestampUs = receivedUs } }).ToArray();
        var unique = new List<NormalizedTrade>();
        pipeline.AcceptBackfill(inGap, unique);
        if (unique.Count > 0) { await sink.PublishAsync(adapter.Exchange, page.Body, unique, receivedUs, cancellationToken); }
        if (gap.Status != GapStatus.Open) { Forget(gap); return; }
        // Ids an answer with rejected rows lacks may be those rows': not proof that they were never printed.
        if (page.CoversGap) { Close(gap, adapter.SkipsTradeIds && page.Rejects.Count == 0 ? GapStatus.Absent : GapStatus.Lost); }
        else { CountAttempt(gap); }
    }

    private void CountAttempt(Gap gap)
    {
        var attempts = _attempts.GetValueOrDefault(gap) + 1;
        _attempts[gap] = attempts;
        if (attempts >= MaxAttempts) { Close(gap, GapStatus.Lost); }
    }

    private HashSet<string> RejectedBefore(Gap gap)
    {
        if (!_rejected.TryGetValue(gap, out var rows)) { _rejected[gap] = rows = new HashSet<string>(StringComparer.Ordinal); }
        return rows;
    }

    private void Forget(Gap gap)
    {
        _attempts.Remove(gap);
        _rejected.Remove(gap);
    }

    private void Close(Gap gap, GapStatus status)
    {
        Forget(gap);
        pipeline.WithLedger(l =>
        {
            l.Close(gap, status, UnixMicros.Now(clock));
            return true;
        });
    }
}
