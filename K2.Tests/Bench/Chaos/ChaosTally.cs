using System.Globalization;
using System.Text.Json.Serialization;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Offload.Tables;

namespace K2.Bench.Chaos;

/// <summary>
/// One layer's rows of a symbol: every row, distinct trade ids, distinct ids the exchange made. A row beyond one per Kafka
/// record (topic, partition, offset) is a redelivered copy; a record beyond one per trade id is a duplicated trade (the
/// same trade published twice).
/// </summary>
internal sealed record LayerCount(
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("unique")] long Unique,
    [property: JsonPropertyName("lost")] long Lost,
    [property: JsonPropertyName("duplicated")] long Duplicated,
    [property: JsonPropertyName("redelivered")] long Redelivered,
    [property: JsonPropertyName("unknown")] long Unknown);

/// <summary>
/// What one symbol's trades came to in bronze (one row per Kafka record: the consumer view leaves out a block the engine
/// reads again), cold bronze, silver (read as its ReplacingMergeTree promises, FINAL) and cold silver.
/// </summary>
internal sealed record SymbolCounts(
    [property: JsonPropertyName("exchange")] string Exchange,
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("generated")] long Generated,
    [property: JsonPropertyName("bronze")] LayerCount Bronze,
    [property: JsonPropertyName("cold_bronze")] LayerCount ColdBronze,
    [property: JsonPropertyName("silver")] LayerCount Silver,
    [property: JsonPropertyName("cold_silver")] LayerCount ColdSilver);

/// <summary>Candles of one interval and tier against those recomputed from the trades the exchanges made.</summary>
internal sealed record CandleCheck(
    [property: JsonPropertyName("interval")] string Interval,
    [property: JsonPropertyName("tier")] string Tier,
    [property: JsonPropertyName("expected")] int Expected,
    [property: JsonPropertyName("equal")] int Equal,
    [property: JsonPropertyName("different")] int Different,
    [property: JsonPropertyName("missing")] int Missing,
    [property: JsonPropertyName("unexpected")] int Unexpected,
    [property: JsonPropertyName("examples")] IReadOnlyList<string> Examples)
{
    [JsonPropertyName("all_equal")] public bool AllEqual => Different == 0 && Missing == 0 && Unexpected == 0;
}

/// <summary>Counts the run's trades and candles in every layer through the daemon's ClickHouse HTTP interface.</summary>
internal static class ChaosTally
{
    private const string ColdDatabase = "cold";

    public static async Task<IReadOnlyList<SymbolCounts>> CountAsync(ChaosProbe probe, string database, IReadOnlyList<ChaosExchange> exchanges, CancellationToken cancellationToken)
    {
        var counts = new List<SymbolCounts>();
        foreach (var exchange in exchanges)
        {
            var e = exchange.Exchange.ToWire();
            var bronze = ColdTables.Find(HotTierMigrations.BronzeTable(exchange.Exchange))!;
            foreach (var tape in exchange.Tapes.Values)
            {
                var generated = tape.Count;
                var last = tape.FirstId + generated - 1;
                var where = $"symbol = '{tape.Symbol}'";
                counts.Add(new SymbolCounts(e, tape.Symbol, generated,
                    await LayerAsync(probe, $"{database}.{bronze.HotTable}", where, tape.FirstId, last, generated, cancellationToken),
                    await LayerAsync(probe, $"{ColdDatabase}.{bronze.Name}", where, tape.FirstId, last, generated, cancellationToken),
                    await LayerAsync(probe, $"{database}.{HotTierMigrations.SilverTable} FINAL", $"exchange = '{e}' AND {where}", tape.FirstId, last, generated, cancellationToken),
                    await LayerAsync(probe, $"{ColdDatabase}.{ColdTables.Silver.Name}", $"exchange = '{e}' AND {where}", tape.FirstId, last, generated, cancellationToken)));
            }
        }

        return counts;
    }

    /// <summary>
    /// Hot candles of every interval, and cold candles, against candles recomputed from the made trades. A cold candle is
    /// expected once its window closed <paramref name="lateness"/> before <paramref name="offloadCutoff"/>.
    /// </summary>
    public static async Task<IReadOnlyList<CandleCheck>> CompareCandlesAsync(
        ChaosProbe probe, string database, IReadOnlyList<ChaosExchange> exchanges, DateTimeOffset offloadCutoff, TimeSpan lateness, CancellationToken cancellationToken)
    {
        var checks = new List<CandleCheck>();
        foreach (var interval in CandleInterval.All)
        {
            var expected = new Dictionary<(string Exchange, string Symbol, long Window), Candle>();
            foreach (var exchange in exchanges)
            {
                foreach (var tape in exchange.Tapes.Values)
                {
                    foreach (var (window, candle) in Recompute(tape.All(), interval)) { expected[(exchange.Exchange.ToWire(), tape.Symbol, window)] = candle; }
                }
            }

            var hot = await CandlesAsync(probe, $"{database}.{interval.View}", cancellationToken);
            checks.Add(Compare(interval.Name, "hot", expected, hot, _ => true));
            var cold = await CandlesAsync(probe, $"{ColdDatabase}.{ColdTables.Gold.Single(t => t.Interval == interval).Name}", cancellationToken);
            var closedBy = (offloadCutoff - lateness - interval.Length).ToUnixTimeSeconds();
            checks.Add(Compare(interval.Name, "cold", expected, cold, key => key.Window <= closedBy));
        }

        return checks;
    }

    private static async Task<LayerCount> LayerAsync(ChaosProbe probe, string table, string where, long first, long last, long generated, CancellationToken cancellationToken)
    {
        var row = (await probe.QueryAsync(
            $"SELECT count(), uniqExact(trade_id), uniqExactIf(trade_id, toInt64OrZero(trade_id) BETWEEN {first} AND {last}), uniqExact(kafka_topic, kafka_partition, kafka_offset) FROM {table} WHERE {where}",
            cancellationToken))[0];
        var rows = Long(row[0]);
        var unique = Long(row[1]);
        var known = Long(row[2]);
        var records = Long(row[3]);
        return new LayerCount(rows, unique, generated - known, records - unique, rows - records, unique - known);
    }

    private readonly record struct Candle(decimal Open, decimal High, decimal Low, decimal Close, decimal Volume, long Trades)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"o {Open} h {High} l {Low} c {Close} v {Volume} n {Trades}");
    }

    private static Dictionary<long, Candle> Recompute(IReadOnlyList<ChaosTrade> trades, CandleInterval interval)
    {
        var lengthUs = (long)interval.Length.TotalMicroseconds;
        var candles = new Dictionary<long, Candle>();

        // Trades are in id order and times never decrease with the id: the first of a window opens it, the last closes it.
        foreach (var t in trades)
        {
            var window = t.TimeUs / lengthUs * lengthUs / 1_000_000;
            candles[window] = candles.TryGetValue(window, out var c)
                ? new Candle(c.Open, Math.Max(c.High, t.Price), Math.Min(c.Low, t.Price), t.Price, c.Volume + t.Quantity, c.Trades + 1)
                : new Candle(t.Price, t.Price, t.Price, t.Price, t.Quantity, 1);
        }

        return candles;
    }

    private static async Task<Dictionary<(string Exchange, string Symbol, long Window), Candle>> CandlesAsync(ChaosProbe probe, string table, CancellationToken cancellationToken)
    {
        var rows = await probe.QueryAsync($"SELECT exchange, symbol, toUnixTimestamp(window_start), open, high, low, close, volume, trade_count FROM {table}", cancellationToken);
        return rows.ToDictionary(
            r => (r[0], r[1], Long(r[2])),
            r => new Candle(Dec(r[3]), Dec(r[4]), Dec(r[5]), Dec(r[6]), Dec(r[7]), Long(r[8])));
    }

    private static CandleCheck Compare(
        string interval, string tier, Dictionary<(string Exchange, string Symbol, long Window), Candle> expected,
        Dictionary<(string Exchange, string Symbol, long Window), Candle> actual, Func<(string Exchange, string Symbol, long Window), bool> required)
    {
        int equal = 0, different = 0, missing = 0, unexpected = 0, wanted = 0;
        var examples = new List<string>();
        void Note(string what)
        {
            if (examples.Count < 5) { examples.Add(what); }
        }

        foreach (var (key, candle) in expected)
        {
            var must = required(key);
            if (must) { wanted++; }
            if (!actual.TryGetValue(key, out var found))
            {
                if (must)
                {
                    missing++;
                    Note($"{key.Exchange} {key.Symbol} {Window(key.Window)}: missing");
                }

                continue;
            }

            if (found == candle) { equal++; }
            else
            {
                different++;
                Note($"{key.Exchange} {key.Symbol} {Window(key.Window)}: {found} instead of {candle}");
            }
        }

        foreach (var key in actual.Keys.Where(k => !expected.ContainsKey(k)))
        {
            unexpected++;
            Note($"{key.Exchange} {key.Symbol} {Window(key.Window)}: no trade was made in it");
        }

        return new CandleCheck(interval, tier, tier == "hot" ? expected.Count : Math.Max(wanted, equal + different), equal, different, missing, unexpected, examples);
    }

    private static string Window(long unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static long Long(string text) => long.Parse(text, CultureInfo.InvariantCulture);

    private static decimal Dec(string text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
