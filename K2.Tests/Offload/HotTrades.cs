using System.Globalization;
using System.Text;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Tests.ClickHouse;

namespace K2.Tests.Offload;

/// <summary>
/// Writes trades straight into the bronze tables as the Kafka engine would (topic, partition, offset set), so the
/// hot tier's views fill silver and the candles; redeliveries repeat a (partition, offset) already written.
/// </summary>
internal sealed partial class HotTrades(HotTier hot)
{
    public static readonly DateTime Day = DateTime.UtcNow.Date.AddDays(-3);
    private static readonly string[] Symbols = ["BTC-USDT", "ETH-USDT", "SOL-USDT"];
    private readonly Dictionary<(Exchange, int), long> _next = [];
    private readonly List<string>[] _written = [.. ExchangeNames.All.Select(_ => new List<string>())];
    private long _trade;

    /// <summary>Appends <paramref name="count"/> new trades per exchange over two partitions, exchange times from <paramref name="from"/>.</summary>
    public async Task InsertAsync(int count, DateTime from, TimeSpan spacing)
    {
        foreach (var exchange in ExchangeNames.All)
        {
            var rows = new StringBuilder();
            for (var i = 0; i < count; i++)
            {
                var partition = i % 2;
                var offset = _next.GetValueOrDefault((exchange, partition));
                _next[(exchange, partition)] = offset + 1;
                var line = Line(exchange, partition, offset, from + (spacing * i), Interlocked.Increment(ref _trade));
                _written[(int)exchange].Add(line);
                rows.Append(line).Append('\n');
            }

            await InsertRawAsync(exchange, rows.ToString());
        }
    }

    /// <summary>Inserts again the last <paramref name="count"/> messages of each exchange (the Kafka engine's at-least-once redelivery).</summary>
    public async Task RedeliverAsync(int count)
    {
        foreach (var exchange in ExchangeNames.All)
        {
            var written = _written[(int)exchange];
            await InsertRawAsync(exchange, string.Join('\n', written.Skip(Math.Max(0, written.Count - count))) + "\n");
        }
    }

    /// <summary>
    /// Publishes the last <paramref name="count"/> trades of each exchange again at new offsets, as a restarted feed
    /// re-sending recent trades would: same trades, new Kafka messages.
    /// </summary>
    public async Task RepublishAsync(int count)
    {
        foreach (var exchange in ExchangeNames.All)
        {
            var written = _written[(int)exchange];
            var rows = new StringBuilder();
            foreach (var line in written.Skip(Math.Max(0, written.Count - count)).ToList())
            {
                var partition = int.Parse(PartitionOf().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
                var offset = _next.GetValueOrDefault((exchange, partition));
                _next[(exchange, partition)] = offset + 1;
                var again = OffsetOf().Replace(line, string.Create(CultureInfo.InvariantCulture, $"\"kafka_offset\":{offset}}}"));
                written.Add(again);
                rows.Append(again).Append('\n');
            }

            await InsertRawAsync(exchange, rows.ToString());
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("\"kafka_partition\":(\\d+)")]
    private static partial System.Text.RegularExpressions.Regex PartitionOf();

    [System.Text.RegularExpressions.GeneratedRegex("\"kafka_offset\":\\d+}$")]
    private static partial System.Text.RegularExpressions.Regex OffsetOf();

    /// <summary>One trade of <paramref name="exchange"/> with an old exchange time arriving now, at the next offset.</summary>
    public async Task InsertLateAsync(Exchange exchange, string symbol, DateTime exchangeTime, string price, string quantity)
    {
        var offset = _next.GetValueOrDefault((exchange, 0));
        _next[(exchange, 0)] = offset + 1;
        var line = Line(exchange, 0, offset, exchangeTime, Interlocked.Increment(ref _trade), symbol, price, quantity);
        _written[(int)exchange].Add(line);
        await InsertRawAsync(exchange, line + "\n");
    }

    private Task InsertRawAsync(Exchange exchange, string rows) =>
        HotTier.Gateway.InsertAsync(hot.Table(HotTierMigrations.BronzeTable(exchange)), "JSONEachRow", Encoding.UTF8.GetBytes(rows));

    private string Line(Exchange exchange, int partition, long offset, DateTime time, long trade, string? symbol = null, string? price = null, string? quantity = null)
    {
        symbol ??= Symbols[trade % Symbols.Length];
        var micros = (time - DateTime.UnixEpoch).Ticks / 10;
        price ??= (1000 + (trade % 97) + ((trade % 13) * 0.00000001m)).ToString(CultureInfo.InvariantCulture);
        quantity ??= (0.001m * ((trade % 7) + 1)).ToString(CultureInfo.InvariantCulture);
        var wire = exchange.ToWire();
        var nullable = trade % 3 == 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"schema_version\":1,\"exchange\":\"{wire}\",\"symbol\":\"{symbol}\",\"canonical_symbol\":\"{symbol.Replace('-', '/')}\",\"trade_id\":\"{trade}\"," +
            $"\"price\":\"{price}\",\"quantity\":\"{quantity}\",\"side\":\"{(trade % 2 == 0 ? "BUY" : "SELL")}\",\"exchange_ts_us\":{micros},\"receive_ts_us\":{micros + 1500}," +
            $"\"raw_side\":{(nullable ? "null" : "\"b\"")},\"is_buyer_maker\":{(nullable ? "null" : "false")},\"sequence_number\":{(nullable ? "null" : trade.ToString(CultureInfo.InvariantCulture))}," +
            $"\"order_type\":null,\"event_ts_us\":{(nullable ? "null" : (micros + 7).ToString(CultureInfo.InvariantCulture))},\"is_snapshot\":false," +
            $"\"kafka_topic\":\"{hot.Settings.Topic(exchange)}\",\"kafka_partition\":{partition},\"kafka_offset\":{offset}}}");
    }
}
