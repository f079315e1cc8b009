using K2.Core.Time;
using K2.Core.Trades;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;
using Microsoft.Extensions.Logging;

namespace K2.Exchanges.Backfill;

/// <summary>
/// Recovers open gaps over REST once they have been open for the grace period (late trades and
/// reconnect snapshots usually fill them first). Recovered trades go through the same dedup and sink as
/// live ones. A gap still open after the REST answer covers it is <see cref="GapStatus.Absent"/> when the
/// exchange is known to skip ids (Kraken) and <see cref="GapStatus.Lost"/> otherwise; so is one the REST
/// endpoint could not cover after <see cref="MaxAttempts"/> tries.
/// </summary>
internal sealed class GapBackfiller(FramePipeline pipeline, IRestTradeSource? source, ExchangeOptions options, ITradeSink sink, TimeProvider clock, ILogger logger)
{
    public const int MaxAttempts = 3;
    private readonly Dictionary<Gap, int> _attempts = [];
    private readonly string _label = pipeline.Exchange.ToWire();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromMilliseconds(Math.Max(20, options.GapGraceMilliseconds / 4));
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
        var due = pipeline.WithLedger(l => l.OpenGaps()).Where(g => now - g.OpenedAtUs >= options.GapGraceMilliseconds * 1000L).ToArray();
        foreach (var gap in due)
        {
            if (source is null || !options.BackfillEnabled || !pipeline.Symbols.TryFind(System.Text.Encoding.UTF8.GetBytes(gap.Symbol), out var symbol))
            {
                Close(gap, GapStatus.Lost);
                continue;
            }

            await BackfillAsync(symbol, gap, cancellationToken);
        }
    }

    private async Task BackfillAsync(WireSymbol symbol, Gap gap, CancellationToken cancellationToken)
    {
        RestTrades answer;
        try
        {
            answer = await source!.FetchAsync(symbol, gap, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or FormatException or InvalidOperationException or KeyNotFoundException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.BackfillFailed(logger, _label, gap.Symbol, ex.Message);
            CountAttempt(gap);
            return;
        }

        var receivedUs = UnixMicros.Now(clock);
        var inGap = answer.Trades.Where(t => gap.Contains(t.Id))
            .Select(t => t with { Trade = t.Trade with { ReceiveTimestampUs = receivedUs } }).ToArray();
        var unique = new List<NormalizedTrade>();
        pipeline.AcceptBackfill(inGap, unique);
        if (unique.Count > 0) { await sink.PublishAsync(pipeline.Exchange, answer.RawResponse, unique, receivedUs, cancellationToken); }
        if (gap.Status != GapStatus.Open) { _attempts.Remove(gap); return; }
        if (answer.CoversGap) { Close(gap, pipeline.Exchange == Exchange.Kraken ? GapStatus.Absent : GapStatus.Lost); }
        else { CountAttempt(gap); }
    }

    private void CountAttempt(Gap gap)
    {
        var attempts = _attempts.GetValueOrDefault(gap) + 1;
        _attempts[gap] = attempts;
        if (attempts >= MaxAttempts) { Close(gap, GapStatus.Lost); }
    }

    private void Close(Gap gap, GapStatus status)
    {
        _attempts.Remove(gap);
        pipeline.WithLedger(l =>
        {
            l.Close(gap, status, UnixMicros.Now(clock));
            return true;
        });
    }
}
