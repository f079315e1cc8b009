using System.Text;
using K2.Core.Trades;
using K2.Exchanges;
using K2.Exchanges.Coinbase;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;

namespace K2.Tests.Exchanges;

public sealed class ParserTests
{
    private static FramePipeline Pipeline(Exchange exchange, CoinbaseSideMeaning side = CoinbaseSideMeaning.Maker) =>
        new(new ExchangesOptions { Coinbase = { SideMeaning = side } }.Adapter(exchange), FixtureTrades.Instruments, TimeProvider.System);

    private static (List<NormalizedTrade> Trades, List<FrameOutcome> Outcomes) Replay(Exchange exchange, IEnumerable<string> lines, CoinbaseSideMeaning side = CoinbaseSideMeaning.Maker)
    {
        var pipeline = Pipeline(exchange, side);
        var trades = new List<NormalizedTrade>();
        var outcomes = lines.Select(line => pipeline.Process(Encoding.UTF8.GetBytes(line), 42, trades)).ToList();
        return (trades, outcomes);
    }

    /// <summary>The reject reason of each frame, each parsed on its own.</summary>
    internal static IEnumerable<string> RejectReasonsOf(Exchange exchange, IEnumerable<string> frames) =>
        frames.Select(frame => Replay(exchange, [frame]).Outcomes.Single().Reason!);

    [TestCase(Exchange.Binance)]
    [TestCase(Exchange.Kraken)]
    [TestCase(Exchange.Coinbase)]
    public void Fixture_yields_exactly_its_trades_field_by_field(Exchange exchange)
    {
        var (trades, outcomes) = Replay(exchange, FixtureTrades.Lines(exchange));

        outcomes.Should().NotContain(o => o.Kind == FrameKind.Rejected);
        FixtureTrades.ShouldMatch(trades, exchange, FixtureTrades.Of(exchange));
        trades.Should().OnlyContain(t => t.ReceiveTimestampUs == 42);
    }

    [Test]
    public void Control_frames_yield_no_trades()
    {
        var controls = new Dictionary<Exchange, string[]>
        {
            [Exchange.Binance] = ["{\"result\":null,\"id\":1}"],
            [Exchange.Kraken] = ["{\"channel\":\"heartbeat\"}", "{\"method\":\"pong\",\"req_id\":99}", FixtureTrades.Lines(Exchange.Kraken)[0]],
            [Exchange.Coinbase] = [FixtureTrades.Lines(Exchange.Coinbase).First(l => l.Contains("\"heartbeats\"", StringComparison.Ordinal))],
        };
        foreach (var (exchange, frames) in controls)
        {
            var (trades, outcomes) = Replay(exchange, frames);
            trades.Should().BeEmpty();
            outcomes.Should().OnlyContain(o => o.Kind == FrameKind.Control, exchange.ToString());
        }
    }

    [Test]
    public void Binance_serverShutdown_is_reported_not_rejected()
    {
        var (_, outcomes) = Replay(Exchange.Binance, ["{\"stream\":\"!serverShutdown\",\"data\":{\"e\":\"serverShutdown\",\"E\":1770123456789}}"]);
        outcomes.Single().Kind.Should().Be(FrameKind.ServerShutdown);
    }

    [Test]
    public void Binance_microsecond_times_are_kept_and_millisecond_times_scaled()
    {
        var (trades, _) = Replay(Exchange.Binance,
        [
            "{\"e\":\"trade\",\"E\":1771338600548123,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"1.0\",\"q\":\"2\",\"T\":1771338600545123,\"m\":false,\"M\":true}",
            "{\"e\":\"trade\",\"E\":1771338600548,\"s\":\"BTCUSDT\",\"t\":2,\"p\":\"1.0\",\"q\":\"2\",\"T\":1771338600545,\"m\":false,\"M\":true}",
        ]);
        trades.Select(t => t.ExchangeTimestampUs).Should().Equal(1771338600545123, 1771338600545000);
        trades[0].Extras.EventTimestampUs.Should().Be(1771338600548123);
    }

    [Test]
    public void Kraken_number_keeps_every_digit_without_double_rounding()
    {
        var (trades, _) = Replay(Exchange.Kraken,
            ["{\"channel\":\"trade\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\",\"side\":\"buy\",\"price\":70215.123456789012345678,\"qty\":0.00044780,\"ord_type\":\"market\",\"trade_id\":7,\"timestamp\":\"2026-02-17T14:30:06.925648Z\"}]}"]);
        trades.Single().Price.Should().Be(70215.123456789012345678m);
        trades.Single().Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture).Should().Be("0.00044780");
        trades.Single().CanonicalSymbol.Should().Be("BTC/USD");
        trades.Single().Extras.OrderType.Should().Be("market");
    }

    [Test]
    public void Kraken_v2_doge_maps_to_the_XDG_instrument()
    {
        var (trades, outcomes) = Replay(Exchange.Kraken,
            ["{\"channel\":\"trade\",\"type\":\"update\",\"data\":[{\"symbol\":\"DOGE/USD\",\"side\":\"sell\",\"price\":0.1,\"qty\":10,\"ord_type\":\"limit\",\"trade_id\":7,\"timestamp\":\"2026-02-17T14:30:06Z\"}]}"]);
        outcomes.Single().Kind.Should().Be(FrameKind.Trades);
        trades.Single().Should().Match<NormalizedTrade>(t => t.Symbol == "DOGE/USD" && t.CanonicalSymbol == "DOGE/USD" && t.Side == TradeSide.Sell);
    }

    [Test]
    public void Coinbase_side_switch_takes_the_side_literally_when_set_to_taker()
    {
        var lines = FixtureTrades.Lines(Exchange.Coinbase);
        var maker = Replay(Exchange.Coinbase, lines).Trades;
        var taker = Replay(Exchange.Coinbase, lines, CoinbaseSideMeaning.Taker).Trades;

        taker.Select(t => t.Side).Should().Equal(maker.Select(t => t.Side == TradeSide.Buy ? TradeSide.Sell : TradeSide.Buy));
        maker.Should().OnlyContain(t => t.Extras.RawSide == (t.Side == TradeSide.Buy ? "SELL" : "BUY"));
        maker.Should().OnlyContain(t => t.Extras.SequenceNumber != null);
    }

    [Test]
    public void Snapshot_trades_are_flagged()
    {
        var (trades, _) = Replay(Exchange.Kraken, FixtureTrades.Lines(Exchange.Kraken));
        trades.Count(t => t.Extras.IsSnapshot).Should().Be(10 + 8 + 6);
    }

    [Test]
    public void Every_malformed_fixture_line_is_rejected_with_a_reason_and_valid_frames_around_it_flow()
    {
        foreach (var (exchangeName, raw, why) in FixtureTrades.Malformed())
        {
            ExchangeNames.TryParse(exchangeName, out var exchange).Should().BeTrue();
            var valid = FixtureTrades.Lines(exchange).Where(l => Replay(exchange, [l]).Trades.Count > 0).Take(2).ToArray();
            var (trades, outcomes) = Replay(exchange, [valid[0], raw, valid[1]]);

            outcomes[1].Kind.Should().Be(FrameKind.Rejected, $"{exchange} frame must be rejected: {why}");
            outcomes[1].Reason.Should().NotBeNullOrEmpty();
            outcomes[1].Detail.Should().NotBeNullOrEmpty();
            trades.Should().HaveCount(Replay(exchange, [valid[0], valid[1]]).Trades.Count, why);
        }
    }

    [TestCase("{\"stream\":\"foobarusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1,\"s\":\"FOOBARUSDT\",\"t\":101,\"p\":\"1\",\"q\":\"5\",\"T\":1,\"m\":false}}", "unknown_symbol")]
    [TestCase("{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"792281625142643375935439503360.00000000\",\"q\":\"1\",\"T\":1,\"m\":false}}", "out_of_range")]
    [TestCase("{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"1\",\"q\":\"-0.25\",\"T\":1,\"m\":false}}", "non_positive")]
    [TestCase("{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1,\"p\":70213.14,\"q\":\"1\",\"T\":1,\"m\":false}}", "wrong_type")]
    [TestCase("{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1,\"q\":\"1\",\"T\":1,\"m\":false}}", "missing_field")]
    [TestCase("{\"error\":{\"code\":2,\"msg\":\"Invalid request: invalid stream\"},\"id\":2}", "error_frame")]
    [TestCase("{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"70213.1", "malformed_json")]
    public void Binance_rejects_name_the_reason(string frame, string reason)
    {
        Replay(Exchange.Binance, [frame]).Outcomes.Single().Reason.Should().Be(reason);
    }

    [TestCase("2026-02-17T14:30:00Z", 1771338600000000L)]
    [TestCase("2026-02-17T14:30:00.5Z", 1771338600500000L)]
    [TestCase("2026-02-17T14:30:00.770670766Z", 1771338600770670L)]
    [TestCase("2026-02-17T14:30:00.999999999Z", 1771338600999999L)]
    [TestCase("2026-02-17T15:30:00.000001+01:00", 1771338600000001L)]
    [TestCase("2024-02-29T00:00:00Z", 1709164800000000L)]
    public void Rfc3339_truncates_fractions_to_microseconds(string text, long expected)
    {
        Rfc3339.TryParseMicros(Encoding.ASCII.GetBytes(text), out var micros).Should().BeTrue();
        micros.Should().Be(expected);
    }

    [TestCase("2026-02-30T25:61:00.000000Z")]
    [TestCase("2026-02-29T00:00:00Z")]
    [TestCase("2026-02-17T14:30:00.1234567890Z")]
    [TestCase("2026-02-17T14:30:00.Z")]
    [TestCase("2026-02-17 14:30:00Z")]
    [TestCase("2026-02-17T14:30:00")]
    public void Rfc3339_rejects_invalid_times(string text)
    {
        Rfc3339.TryParseMicros(Encoding.ASCII.GetBytes(text), out _).Should().BeFalse();
    }
}
