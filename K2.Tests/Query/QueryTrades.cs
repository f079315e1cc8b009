using System.Globalization;
using System.Text;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Tests.ClickHouse;

namespace K2.Tests.Query;

/// <summary>One trade as the fixture wrote it: what the API must return, computed without K2's code.</summary>
internal sealed record FixtureTrade(string Exchange, string Symbol, string Canonical, string TradeId, decimal Price, decimal Quantity, string Side, long TsMicros, long ReceiveMicros)
{
    public (long, string, int, string) Order => (TsMicros, Exchange, TradeId.Length, TradeId);
}

/// <summary>
/// Writes trades into the bronze tables as the Kafka engine would (topic, partition, offset), so the hot views fill silver
/// and the candles; keeps every trade written, once per key, as the expected answer. Each exchange trades BTC/USDT and
/// ETH/USDT under its own symbol (BTCUSDT, BTC/USDT, BTC-USDT).
/// </summary>
internal sealed class QueryTrades(HotTier hot)
{
    public static readonly IReadOnlyList<string> Canonicals = ["BTC/USDT", "ETH/USDT"];

    private readonly Dictionary<(Exchange, int), long> _next = [];
    private readonly List<(Exchange Exchange, int Partition, string Line, FixtureTrade Trade)> _written = [];
    private readonly Lock _gate = new();
    private long _trade = 1000;

    /// <summary>Every trade written, once per key (safe while another task writes).</summary>
    public IReadOnlyList<FixtureTrade> All
    {
        get
        {
            lock (_gate) { return [.. _written.Select(w => w.Trade).DistinctBy(t => (t.Exchange, t.Symbol, t.TradeId))]; }
        }
    }

    public static string Native(Exchange exchange, string canonical) => exchange switch
    {
        Exchange.Binance => canonical.Replace("/", "", StringComparison.Ordinal),
        Exchange.Kraken => canonical,
        _ => canonical.Replace('/', '-'),
    };

    /// <summary><paramref name="count"/> trades per exchange from <paramref name="from"/>, every <paramref name="spacingMicros"/>, alternating symbols; every fifth shares its time with the one before.</summary>
    public async Task InsertAsync(int count, long from, long spacingMicros, IReadOnlyList<string>? canonicals = null)
    {
        canonicals ??= Canonicals;
        foreach (var exchange in ExchangeNames.All)
        {
            var rows = new StringBuilder();
            var ts = from;
            for (var i = 0; i < count; i++)
            {
                if (i % 5 != 4) { ts += spacingMicros; }
                var number = Interlocked.Increment(ref _trade);
                var canonical = canonicals[i % canonicals.Count];
                var trade = new FixtureTrade(exchange.ToWire(), Native(exchange, canonical), canonical, number.ToString(CultureInfo.InvariantCulture),
                    1000 + (number % 97) + ((number % 13) * 0.00000001m), 0.001m * ((number % 7) + 1), number % 2 == 0 ? "BUY" : "SELL", ts, ts + 1500);
                rows.Append(Write(exchange, i % 2, trade)).Append('\n');
            }

            await InsertRawAsync(exchange, rows.ToString());
        }
    }

    /// <summary>One trade with an old exchange time arriving now (its window may already be in the cold tier).</summary>
    public async Task<FixtureTrade> InsertLateAsync(Exchange exchange, string canonical, long ts)
    {
        var number = Interlocked.Increment(ref _trade);
        var trade = new FixtureTrade(exchange.ToWire(), Native(exchange, canonical), canonical, number.ToString(CultureInfo.InvariantCulture), 5000.5m, 0.25m, "BUY", ts, ts + 900);
        await InsertRawAsync(exchange, Write(exchange, 0, trade) + "\n");
        return trade;
    }

    /// <summary>The last <paramref name="count"/> trades of <paramref name="canonical"/> per exchange published again at new offsets (a restarted feed).</summary>
    public async Task RepublishAsync(string canonical, int count)
    {
        foreach (var exchange in ExchangeNames.All)
        {
            List<(Exchange Exchange, int Partition, string Line, FixtureTrade Trade)> again;
            lock (_gate) { again = [.. _written.Where(w => w.Exchange == exchange && w.Trade.Canonical == canonical).TakeLast(count)]; }
            await InsertRawAsync(exchange, string.Concat(again.Select(w => Write(exchange, w.Partition, w.Trade) + "\n")));
        }
    }

    /// <summary>The last <paramref name="count"/> messages of <paramref name="canonical"/> per exchange inserted again at their offsets (Kafka engine redelivery).</summary>
    public async Task RedeliverAsync(string canonical, int count)
    {
        foreach (var exchange in ExchangeNames.All)
        {
            List<(Exchange Exchange, int Partition, string Line, FixtureTrade Trade)> again;
            lock (_gate) { again = [.. _written.Where(w => w.Exchange == exchange && w.Trade.Canonical == canonical).TakeLast(count)]; }
            await InsertRawAsync(exchange, string.Concat(again.Select(w => w.Line + "\n")));
        }
    }

    private string Write(Exchange exchange, int partition, FixtureTrade trade)
    {
        lock (_gate) { return WriteLocked(exchange, partition, trade); }
    }

    private string WriteLocked(Exchange exchange, int partition, FixtureTrade trade)
    {
        var offset = _next.GetValueOrDefault((exchange, partition));
        _next[(exchange, partition)] = offset + 1;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{{\"schema_version\":1,\"exchange\":\"{trade.Exchange}\",\"symbol\":\"{trade.Symbol}\",\"canonical_symbol\":\"{trade.Canonical}\",\"trade_id\":\"{trade.TradeId}\"," +
            $"\"price\":\"{trade.Price}\",\"quantity\":\"{trade.Quantity}\",\"side\":\"{trade.Side}\",\"exchange_ts_us\":{trade.TsMicros},\"receive_ts_us\":{trade.ReceiveMicros}," +
            $"\"raw_side\":null,\"is_buyer_maker\":null,\"sequence_number\":null,\"order_type\":null,\"event_ts_us\":null,\"is_snapshot\":false," +
            $"\"kafka_topic\":\"{hot.Settings.Topic(exchange)}\",\"kafka_partition\":{partition},\"kafka_offset\":{offset}}}");
        _written.Add((exchange, partition, line, trade));
        return line;
    }

    private Task InsertRawAsync(Exchange exchange, string rows) =>
        HotTier.Gateway.InsertAsync(hot.Table(HotTierMigrations.BronzeTable(exchange)), "JSONEachRow", Encoding.UTF8.GetBytes(rows));
}
