using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Time;
using K2.Core.Trades;

namespace K2.Bench;

/// <summary>One candle's values, computed from trades or read from an <c>ohlcv_*_final</c> view.</summary>
internal sealed record CandleValues(decimal Open, decimal High, decimal Low, decimal Close, decimal Volume, decimal QuoteVolume, long TradeCount, decimal BuyVolume, decimal SellVolume);

/// <summary>
/// Candles of every interval computed in C# from the trades as they are generated, independently of the SQL: open and
/// close are the first and last trade by (exchange time, id length, id), as the candle tables order them.
/// </summary>
internal static class ExpectedCandles
{
    public static Dictionary<(string Table, string Exchange, string Symbol, long WindowStart), CandleValues> From(IEnumerable<NormalizedTrade> trades)
    {
        var candles = new Dictionary<(string, string, string, long), Accumulator>();
        foreach (var trade in trades)
        {
            var time = UnixMicros.ToDateTimeOffset(trade.ExchangeTimestampUs);
            foreach (var interval in CandleInterval.All)
            {
                var key = (interval.Table, trade.Exchange.ToWire(), trade.Symbol, interval.WindowStart(time).ToUnixTimeSeconds());
                if (!candles.TryGetValue(key, out var candle)) { candles[key] = candle = new Accumulator(trade); }
                candle.Add(trade);
            }
        }

        return candles.ToDictionary(c => c.Key, c => c.Value.Values());
    }

    private sealed class Accumulator(NormalizedTrade first)
    {
        private NormalizedTrade _open = first, _close = first;
        private decimal _high = first.Price, _low = first.Price, _volume, _quoteVolume, _buyVolume, _sellVolume;
        private long _count;

        public void Add(NormalizedTrade trade)
        {
            if (Before(trade, _open)) { _open = trade; }
            if (Before(_close, trade)) { _close = trade; }
            _high = Math.Max(_high, trade.Price);
            _low = Math.Min(_low, trade.Price);
            _volume += trade.Quantity;
            _quoteVolume += trade.QuoteVolume;
            if (trade.Side == TradeSide.Buy) { _buyVolume += trade.Quantity; } else { _sellVolume += trade.Quantity; }
            _count++;
        }

        private static bool Before(NormalizedTrade a, NormalizedTrade b) =>
            (a.ExchangeTimestampUs, a.TradeId.Length).CompareTo((b.ExchangeTimestampUs, b.TradeId.Length)) is var order && order != 0
                ? order < 0
                : string.CompareOrdinal(a.TradeId, b.TradeId) < 0;

        public CandleValues Values() => new(_open.Price, _high, _low, _close.Price, _volume, _quoteVolume, _count, _buyVolume, _sellVolume);
    }
}

/// <summary>What one hot tier holds after ingesting the synthetic trades: each trade once in bronze and silver, candles as computed.</summary>
internal sealed record IngestCheck(long Trades, long BronzeRows, long BronzeDistinct, long SilverRows, long SilverDistinct, long SilverInvalid, long KafkaErrors, int CandlesExpected, int CandlesWrong)
{
    public bool Passed =>
        BronzeRows == Trades && BronzeDistinct == Trades && SilverRows == Trades && SilverDistinct == Trades && SilverInvalid == 0 && KafkaErrors == 0 && CandlesWrong == 0;

    public static async Task<IngestCheck> RunAsync(
        IClickHouseGateway gateway, HotTierSettings settings, long trades,
        IReadOnlyDictionary<(string Table, string Exchange, string Symbol, long WindowStart), CandleValues> expected, CancellationToken cancellationToken)
    {
        var bronze = string.Join(" UNION ALL ", ExchangeNames.All.Select(e => $"SELECT trade_id FROM {settings.Table(HotTierMigrations.BronzeTable(e))}"));
        var counts = (await gateway.QueryScalarAsync(
            $"""
            SELECT concat(
                toString((SELECT count() FROM ({bronze}))), ' ', toString((SELECT uniqExact(trade_id) FROM ({bronze}))), ' ',
                toString((SELECT count() FROM {settings.Table(HotTierMigrations.SilverTable)})), ' ',
                toString((SELECT uniqExact(exchange, symbol, trade_id) FROM {settings.Table(HotTierMigrations.SilverTable)})), ' ',
                toString((SELECT countIf(NOT is_valid) FROM {settings.Table(HotTierMigrations.SilverTable)})), ' ',
                toString((SELECT count() FROM {settings.Table(HotTierMigrations.ErrorsTable)})))
            """, cancellationToken: cancellationToken).ConfigureAwait(false)).Split(' ').Select(n => long.Parse(n, CultureInfo.InvariantCulture)).ToArray();

        var wrong = 0;
        var seen = 0;
        foreach (var interval in CandleInterval.All)
        {
            var text = await gateway.QueryTextAsync(
                $"SELECT exchange, symbol, toUnixTimestamp(window_start), open, high, low, close, volume, quote_volume, trade_count, buy_volume, sell_volume FROM {settings.Table(interval.View)}",
                cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var f in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')))
            {
                seen++;
                var actual = new CandleValues(D(f[3]), D(f[4]), D(f[5]), D(f[6]), D(f[7]), D(f[8]), long.Parse(f[9], CultureInfo.InvariantCulture), D(f[10]), D(f[11]));
                if (!expected.TryGetValue((interval.Table, f[0], f[1], long.Parse(f[2], CultureInfo.InvariantCulture)), out var candle) || candle != actual) { wrong++; }
            }
        }

        // A candle missing from the tables is wrong as well as one that differs.
        wrong += Math.Max(0, expected.Count - seen);
        return new IngestCheck(trades, counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], expected.Count, wrong);
    }

    private static decimal D(string text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    public Dictionary<string, object> ToReport() => new()
    {
        ["passed"] = Passed,
        ["bronze_rows"] = BronzeRows,
        ["bronze_distinct_trades"] = BronzeDistinct,
        ["silver_rows"] = SilverRows,
        ["silver_distinct_trades"] = SilverDistinct,
        ["silver_invalid"] = SilverInvalid,
        ["kafka_errors"] = KafkaErrors,
        ["candles"] = CandlesExpected,
        ["candles_not_equal_to_trades"] = CandlesWrong,
    };
}
