using System.Globalization;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Health;
using K2.ClickHouse.Schema;
using K2.Core.Trades;
using K2.Tests.Support;

namespace K2.Tests.ClickHouse;

/// <summary>
/// Fixture trades published to the normalized topics of the mock cluster flow through ClickHouse's Kafka
/// engine into bronze, silver and all six candle tables; one bad message and one invalid trade ride along.
/// </summary>
public sealed class PipelineTests
{
    private const string BadMessage = "{\"schema_version\":1,\"exchange\":\"kraken\",\"symbol\":";

    private HotTier _hotTier = null!;
    private IReadOnlyList<NormalizedTrade> _trades = null!;
    private NormalizedTrade _invalid;

    [OneTimeSetUp]
    public async Task PublishFixtureTrades()
    {
        _hotTier = HotTier.Create();
        _trades = FixtureTrades.All();
        var template = _trades.First(t => t.Exchange == Exchange.Kraken);
        _invalid = template with { TradeId = "invalid-1", Quantity = -0.25m };
        foreach (var exchange in ExchangeNames.All) { EmbeddedKafka.Cluster.CreateTopic(_hotTier.Settings.Topic(exchange), partitions: 2); }
        await _hotTier.Schema.ApplyAsync();
        await new ConsumerHealth(HotTier.Gateway, _hotTier.Settings, HotTier.Lag(_hotTier.Settings))
            .WaitForAssignmentsAsync(TimeSpan.FromSeconds(45));

        foreach (var exchange in ExchangeNames.All)
        {
            await TradePublisher.PublishAsync(_hotTier.Settings.Topic(exchange), _trades.Where(t => t.Exchange == exchange));
        }

        // Same key, so same partition: the invalid trade after the bad message shows the consumer went on.
        await TradePublisher.PublishRawAsync(_hotTier.Settings.Topic(Exchange.Kraken), $"kraken|{_invalid.Symbol}", BadMessage);
        await TradePublisher.PublishAsync(_hotTier.Settings.Topic(Exchange.Kraken), [_invalid]);

        foreach (var exchange in ExchangeNames.All)
        {
            var expected = _trades.Count(t => t.Exchange == exchange) + (exchange == Exchange.Kraken ? 1 : 0);
            await Eventually.Holds(async () => long.Parse(await HotTier.Gateway.QueryScalarAsync($"SELECT uniqExact(symbol, trade_id) FROM {_hotTier.Table(HotTierMigrations.SilverTable)} WHERE exchange = '{exchange.ToWire()}'"), CultureInfo.InvariantCulture) >= expected, TimeSpan.FromSeconds(45), $"all {exchange} trades in silver");
        }

        await Eventually.Holds(async () => await _hotTier.CountAsync(HotTierMigrations.ErrorsTable) >= 1, TimeSpan.FromSeconds(45), "the bad message in the errors table");

        // The views commit table by table: silver can be visible a moment before the candles built from it.
        foreach (var interval in CandleInterval.All)
        {
            await Eventually.Holds(async () => long.Parse(await HotTier.Gateway.QueryScalarAsync($"SELECT sum(trade_count) FROM {_hotTier.Table(interval.Table)}"), CultureInfo.InvariantCulture) >= _trades.Count, TimeSpan.FromSeconds(45), $"all trades counted in {interval.Table}");
        }
    }

    [OneTimeTearDown]
    public async Task DropHotTier() => await _hotTier.DisposeAsync();

    [Test]
    public async Task Bronze_keeps_every_field_with_the_real_kafka_coordinates()
    {
        foreach (var exchange in ExchangeNames.All)
        {
            var expected = _trades.Where(t => t.Exchange == exchange).ToList();
            var rows = await HotTier.Gateway.QueryRowsAsync(
                $"SELECT trade_id, price, quantity, side, exchange_ts_us, receive_ts_us, ifNull(raw_side, '-'), toString(is_buyer_maker), toString(sequence_number), ifNull(order_type, '-'), toString(event_ts_us), is_snapshot, kafka_topic, kafka_partition, kafka_offset FROM {_hotTier.Table(HotTierMigrations.BronzeTable(exchange))} WHERE trade_id != 'invalid-1'");

            rows.Select(r => r[0]).Should().BeEquivalentTo(expected.Select(t => t.TradeId));
            var byId = rows.ToDictionary(r => r[0]);
            foreach (var trade in expected)
            {
                var row = byId[trade.TradeId];
                row[1..12].Should().Equal(
                    DecimalText.Format(trade.Price), DecimalText.Format(trade.Quantity), trade.Side.ToWire(), Invariant(trade.ExchangeTimestampUs), Invariant(trade.ReceiveTimestampUs),
                    trade.Extras.RawSide ?? "-", trade.Extras.IsBuyerMaker?.ToString().ToLowerInvariant() ?? "\\N", trade.Extras.SequenceNumber is { } s ? Invariant(s) : "\\N",
                    trade.Extras.OrderType ?? "-", trade.Extras.EventTimestampUs is { } e ? Invariant(e) : "\\N", trade.Extras.IsSnapshot ? "true" : "false");
                row[12].Should().Be(_hotTier.Settings.Topic(exchange));
            }

            // Offsets are the broker's: per partition they run 0, 1, 2, … with no gap.
            foreach (var partition in rows.GroupBy(r => r[13]))
            {
                var offsets = partition.Select(r => long.Parse(r[14], CultureInfo.InvariantCulture)).Order().ToList();
                offsets.Should().Equal(Enumerable.Range(0, offsets.Count).Select(i => (long)i));
            }
        }

        (await HotTier.Gateway.QueryScalarAsync($"SELECT uniqExact(kafka_partition) FROM {_hotTier.Table(HotTierMigrations.BronzeTable(Exchange.Binance))}")).Should().Be("2");
    }

    [Test]
    public async Task Silver_holds_exact_decimals_quote_volume_side_and_microsecond_times()
    {
        var rows = await HotTier.Gateway.QueryRowsAsync(
            $"SELECT exchange, symbol, trade_id, canonical_symbol, toString(price), toString(quantity), toString(quote_volume), side, toString(exchange_ts), toString(receive_ts), is_valid FROM {_hotTier.Table(HotTierMigrations.SilverTable)} WHERE is_valid");
        var byKey = rows.ToDictionary(r => (r[0], r[1], r[2]));

        byKey.Should().HaveCount(_trades.Count);
        foreach (var trade in _trades)
        {
            var row = byKey[(trade.Exchange.ToWire(), trade.Symbol, trade.TradeId)];
            row[3].Should().Be(trade.CanonicalSymbol);
            decimal.Parse(row[4], CultureInfo.InvariantCulture).Should().Be(trade.Price);
            decimal.Parse(row[5], CultureInfo.InvariantCulture).Should().Be(trade.Quantity);
            decimal.Parse(row[6], CultureInfo.InvariantCulture).Should().Be(trade.QuoteVolume);
            row[7].Should().Be(trade.Side.ToWire());
            row[8].Should().Be(K2.Core.Time.UnixMicros.ToDateTimeOffset(trade.ExchangeTimestampUs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture));
            row[9].Should().Be(K2.Core.Time.UnixMicros.ToDateTimeOffset(trade.ReceiveTimestampUs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture));
        }
    }

    [Test]
    public async Task An_invalid_trade_reaches_silver_marked_with_its_reasons_and_stays_out_of_candles()
    {
        var rows = await HotTier.Gateway.QueryRowsAsync(
            $"SELECT is_valid, arrayStringConcat(validation_errors, '|') FROM {_hotTier.Table(HotTierMigrations.SilverTable)} WHERE trade_id = 'invalid-1'");

        rows.Should().ContainSingle().Which.Should().Equal("false", "quantity is not a plain decimal with at most 18 decimals|quantity must be positive");
        (await _hotTier.CandlesAsync(CandleInterval.All[0])).Sum(c => c.TradeCount).Should().Be(_trades.Count);
    }

    [Test]
    public async Task A_message_that_does_not_parse_lands_in_the_errors_table_without_stalling_the_consumer()
    {
        var rows = await HotTier.Gateway.QueryRowsAsync(
            $"SELECT exchange, kafka_topic, raw_message, error != '' FROM {_hotTier.Table(HotTierMigrations.ErrorsTable)} FORMAT TSVRaw");

        rows.Should().ContainSingle().Which.Should().Equal("kraken", _hotTier.Settings.Topic(Exchange.Kraken), BadMessage, "1");
        (await _hotTier.CountAsync(HotTierMigrations.SilverTable, "trade_id = 'invalid-1'")).Should().Be(1);
    }

    [Test]
    public async Task Every_candle_of_every_interval_equals_the_one_computed_from_the_trades()
    {
        foreach (var interval in CandleInterval.All)
        {
            var actual = await _hotTier.CandlesAsync(interval);

            actual.Should().Equal(ExpectedCandles.For(interval, _trades), $"candles {interval.Name}");
        }
    }

    [Test]
    public async Task Equal_timestamps_resolve_open_and_close_by_trade_id()
    {
        var daily = (await _hotTier.CandlesAsync(CandleInterval.All[^1])).Where(c => c.Symbol == "ETH-USD").ToList();

        daily.Should().HaveCount(2);
        daily[0].Close.Should().Be(2081.5m, "ids 99 and 100 share the last microsecond of the day; 100 is the later id");
        daily[1].Open.Should().Be(2081.9m, "ids 998 and 1000 share midnight; 998 is the earlier id");
    }

    [Test]
    public async Task Merging_all_parts_does_not_change_any_candle()
    {
        var before = await _hotTier.AllCandlesAsync();

        foreach (var interval in CandleInterval.All)
        {
            await HotTier.Gateway.ExecuteAsync($"OPTIMIZE TABLE {_hotTier.Table(interval.Table)} FINAL");
        }

        (await _hotTier.AllCandlesAsync()).Should().Equal(before);
    }

    [Test]
    public async Task Consumer_health_reports_what_each_consumer_read_and_the_table_row_counts()
    {
        var health = new ConsumerHealth(HotTier.Gateway, _hotTier.Settings, HotTier.Lag(_hotTier.Settings));

        var consumers = await health.ConsumersAsync();
        var rows = await health.TableRowsAsync();
        await health.PublishAsync(TimeProvider.System);

        consumers.Select(c => c.Exchange).Should().BeEquivalentTo(ExchangeNames.All);
        consumers.Single(c => c.Exchange == Exchange.Kraken).MessagesRead.Should().Be(_trades.Count(t => t.Exchange == Exchange.Kraken) + 2);
        consumers.Should().OnlyContain(c => c.LastPoll != null && c.Exceptions == 0 && c.LastException == null && c.AssignedPartitions == 2);
        rows[HotTierMigrations.SilverTable].Should().Be(await _hotTier.CountAsync(HotTierMigrations.SilverTable));
        rows[HotTierMigrations.BronzeTable(Exchange.Coinbase)].Should().Be(_trades.Count(t => t.Exchange == Exchange.Coinbase));
        HotTierMetrics.TableRows.WithLabels(HotTierMigrations.SilverTable).Value.Should().Be(rows[HotTierMigrations.SilverTable]);
        HotTierMetrics.MessagesRead.WithLabels("kraken").Value.Should().Be(_trades.Count(t => t.Exchange == Exchange.Kraken) + 2);
        foreach (var exchange in ExchangeNames.All) { HotTierMetrics.ConsumerLag.WithLabels(exchange.ToWire()).Value.Should().Be(0, $"{exchange} consumed everything"); }
    }

    [Test]
    public async Task Lag_counts_messages_published_but_not_yet_committed_by_the_consumer_group()
    {
        var unconsumed = HotTier.NewOptions();
        var settings = new HotTierSettings(unconsumed, HotTier.NewTopics(), EmbeddedKafka.BootstrapServers);
        EmbeddedKafka.Cluster.CreateTopic(settings.Topic(Exchange.Binance), partitions: 2);
        await TradePublisher.PublishAsync(settings.Topic(Exchange.Binance), _trades.Where(t => t.Exchange == Exchange.Binance).Take(7));

        var lag = await HotTier.Lag(settings).MeasureAsync();

        lag[Exchange.Binance].Should().Be(7);
        (await HotTier.Lag(_hotTier.Settings).MeasureAsync()).Values.Should().OnlyContain(l => l == 0);
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
