using K2.Offload.Runs;
using K2.Offload.Tables;

namespace K2.Offload;

/// <summary>
/// Rewrites candle windows that were already offloaded, from the hot tier as it is now: the maintenance audit asks for
/// it when it finds cold candles that late trades revised after their offload. Registered with the offload
/// (<see cref="OffloadModule.AddOffload"/>); absent when the offload does not run in this process.
/// </summary>
public interface ICandleRewrite
{
    /// <summary>
    /// Replaces the cold rows of <paramref name="candles"/> (a gold table of <see cref="ColdTables.Gold"/>) whose window
    /// starts in [<paramref name="from"/>, <paramref name="to"/>) with the hot tier's, in one commit, and offloads
    /// newly closed windows with them. A failure is in the result's <see cref="OffloadResult.Error"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="candles"/> is not a candle table.</exception>
    Task<OffloadResult> RewriteAsync(ColdTable candles, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);
}
