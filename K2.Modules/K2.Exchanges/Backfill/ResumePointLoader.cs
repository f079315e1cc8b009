using K2.Core.Trades;
using K2.Exchanges.Pipeline;
using Microsoft.Extensions.Logging;

namespace K2.Exchanges.Backfill;

/// <summary>
/// At start, seeds an exchange's ledger with each symbol's resume point, its newest durably stored trade: nothing at or
/// below it is published again, and the first later trade (a live one or a reconnect snapshot's) opens the gap the
/// daemon was down for, which the <see cref="GapBackfiller"/> recovers over REST. The holes the store shows below the
/// resume points are reopened as gaps too — except on an exchange whose stream skips ids (Kraken), where most holes are
/// ids never printed and re-verifying them at every start would hold up the real gap. While the store does not answer
/// (ClickHouse still starting) it asks again, for <see cref="ResumeOptions.WaitSeconds"/>; then streaming starts
/// without resume points.
/// </summary>
internal sealed class ResumePointLoader(ITradeResumePoints? points, ResumeOptions options, IExchangeAdapter adapter, FramePipeline pipeline, TimeProvider clock, ILogger logger)
{
    private static readonly TimeSpan AskEvery = TimeSpan.FromSeconds(1);

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (points is null || !options.Enabled) { return; }
        var label = pipeline.Exchange.ToWire();
        var giveUpAt = clock.GetUtcNow() + TimeSpan.FromSeconds(options.WaitSeconds);
        while (true)
        {
            var since = clock.GetUtcNow() - options.MaxAge;
            try
            {
                var found = await points.NewestAsync(pipeline.Exchange, since, cancellationToken);
                var holes = adapter.SkipsTradeIds ? [] : await points.HolesAsync(pipeline.Exchange, since, cancellationToken);
                var configured = pipeline.Symbols.All.Select(s => s.Wire).ToHashSet(StringComparer.Ordinal);
                var resumed = found.Where(p => configured.Contains(p.Symbol)).ToArray();
                var nowUs = K2.Core.Time.UnixMicros.Now(clock);
                var reopened = pipeline.WithLedger(ledger =>
                {
                    foreach (var point in resumed) { ledger.Resume(point.Symbol, point.TradeId, point.ExchangeTimestampUs); }
                    var before = ledger.OpenGaps().Count;
                    foreach (var hole in holes.Where(h => configured.Contains(h.Symbol)))
                    {
                        ledger.ReopenGap(hole.Symbol, hole.FirstMissing, hole.LastMissing, hole.BeforeTimestampUs, hole.AfterTimestampUs, nowUs);
                    }

                    return ledger.OpenGaps().Count - before;
                });
                foreach (var point in resumed) { Log.ResumePoint(logger, label, point.Symbol, point.TradeId, point.ExchangeTimestampUs); }
                ExchangeMetrics.ResumedSymbols.WithLabels(label).Set(resumed.Length);
                Log.Resumed(logger, label, resumed.Length, configured.Count, reopened, since);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The store is another module's (ClickHouse): whatever it throws means "not now".
                var left = giveUpAt - clock.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    Log.ResumeUnavailable(logger, label, ex.Message);
                    return;
                }

                Log.ResumeRetrying(logger, label, ex.Message, (long)Math.Ceiling(left.TotalSeconds));
                await Task.Delay(AskEvery, clock, cancellationToken);
            }
        }
    }
}
