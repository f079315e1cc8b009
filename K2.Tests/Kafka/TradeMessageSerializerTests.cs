using System.Text;
using K2.Core.Trades;
using K2.Kafka.Publishing;
using K2.Tests.Support;

namespace K2.Tests.Kafka;

[TestFixture]
public sealed class TradeMessageSerializerTests
{
    [Test]
    public void The_documented_example_is_what_the_serializer_writes()
    {
        var doc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "normalized-trade-message.md"));
        var example = doc.Split("```json")[1].Split("```")[0].Trim();
        var trade = new NormalizedTrade(
            Exchange.Binance, "BTCUSDT", "BTC/USDT", "5912340001", 70215.76000000m, 0.03498000m, TradeSide.Sell,
            1771338601431000, 1771338601440123, new TradeExtras(IsBuyerMaker: true, EventTimestampUs: 1771338601432000));

        Encoding.UTF8.GetString(TradeMessageSerializer.Value(trade)).Should().Be(example);
        Encoding.UTF8.GetString(TradeMessageSerializer.Key(Exchange.Binance, "BTCUSDT")).Should().Be("binance|BTCUSDT");
    }

    [TestCase("70215.50000000")]
    [TestCase("0.00000001")]
    [TestCase("0.0000000000000000000000000001")]
    [TestCase("100")]
    [TestCase("100.000")]
    [TestCase("0.000")]
    [TestCase("-5.250")]
    [TestCase("79228162514264337593543950335")]
    public void Decimals_are_written_exactly_as_DecimalText_formats_them(string text)
    {
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        var trade = new NormalizedTrade(Exchange.Binance, "X", "X/Y", "1", value, value, TradeSide.Buy, 1, 2, default);

        using var json = System.Text.Json.JsonDocument.Parse(TradeMessageSerializer.Value(trade));
        json.RootElement.GetProperty("price").GetString().Should().Be(DecimalText.Format(value));
    }

    [Test]
    public void Decimals_are_plain_exact_strings_and_text_is_not_html_escaped()
    {
        var trade = new NormalizedTrade(
            Exchange.Kraken, "XDG/USD", "DOGE/USD", "t+1<2>", 0.00000001m, 12345678901234567890.123456789m, TradeSide.Buy,
            1, 2, new TradeExtras(RawSide: "buy", OrderType: "limit", IsSnapshot: true));

        Encoding.UTF8.GetString(TradeMessageSerializer.Value(trade)).Should().Be(
            "{\"schema_version\":1,\"exchange\":\"kraken\",\"symbol\":\"XDG/USD\",\"canonical_symbol\":\"DOGE/USD\",\"trade_id\":\"t+1<2>\","
            + "\"price\":\"0.00000001\",\"quantity\":\"12345678901234567890.123456789\",\"side\":\"BUY\",\"exchange_ts_us\":1,\"receive_ts_us\":2,"
            + "\"raw_side\":\"buy\",\"is_buyer_maker\":null,\"sequence_number\":null,\"order_type\":\"limit\",\"event_ts_us\":null,\"is_snapshot\":true}");
    }
}
