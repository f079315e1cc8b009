using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Offload.Tables;

namespace K2.Query.Reading;

/// <summary>First and last trade time (Unix µs) of one (exchange, canonical symbol) in one tier.</summary>
internal readonly record struct TimeRange(long FirstMicros, long LastMicros);

/// <summary>
/// Per (exchange, canonical symbol), the exchange-time range of the trades each tier holds. Both need a scan of the
/// trades' time column, so they are kept: the hot ranges for <see cref="HotMaxAge"/>, the cold ones until an offload
/// commits a new snapshot.
/// </summary>
internal sealed class InstrumentRanges(IClickHouseGateway gateway, string database, ColdPins pins, TimeProvider time)
{
    public static readonly TimeSpan HotMaxAge = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTimeOffset At, IReadOnlyDictionary<(string, string), TimeRange> Ranges)? _hot;
    private (long SnapshotId, IReadOnlyDictionary<(string, string), TimeRange> Ranges)? _cold;

    public async Task<(IReadOnlyDictionary<(string Exchange, string Canonical), TimeRange> Hot, IReadOnlyDictionary<(string Exchange, string Canonical), TimeRange> Cold)> ReadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            if (_hot is not { } hot || now - hot.At > HotMaxAge)
            {
                _hot = hot = (now, await QueryAsync($"FROM {database}.{HotTierMigrations.SilverTable} WHERE is_valid", "", cancellationToken).ConfigureAwait(false));
            }

            var pin = await pins.PinAsync(ColdTables.Silver, null, cancellationToken).ConfigureAwait(false);
            if (!pin.HasRows) { return (hot.Ranges, new Dictionary<(string, string), TimeRange>()); }
            if (_cold is not { } cold || cold.SnapshotId != pin.SnapshotId)
            {
                _cold = cold = (pin.SnapshotId, await QueryAsync($"FROM {pin.Source} WHERE is_valid", TradeSql.Settings(pin, 300), cancellationToken).ConfigureAwait(false));
            }

            return (hot.Ranges, cold.Ranges);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IReadOnlyDictionary<(string, string), TimeRange>> QueryAsync(string source, string settings, CancellationToken cancellationToken)
    {
        var rows = await gateway.QueryRowsAsync(
            $"SELECT exchange, canonical_symbol, toUnixTimestamp64Micro(min(exchange_ts)), toUnixTimestamp64Micro(max(exchange_ts)) {source} GROUP BY exchange, canonical_symbol {settings}",
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(r => (r[0], r[1]), r => new TimeRange(long.Parse(r[2], CultureInfo.InvariantCulture), long.Parse(r[3], CultureInfo.InvariantCulture)));
    }
}
