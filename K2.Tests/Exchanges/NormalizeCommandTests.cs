using System.Globalization;
using System.Text;
using System.Text.Json;
using K2.Core.Trades;
using K2.Daemon.Cli;
using K2.Tests.Support;

namespace K2.Tests.Exchanges;

public sealed class NormalizeCommandTests
{
    private static (int ExitCode, string[] Stdout, string[] Stderr) Normalize(string exchange, string input)
    {
        using var stdout = new MemoryStream();
        var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var code = NormalizeCommand.Run(exchange, input, stdout, stderr);
        var lines = Encoding.UTF8.GetString(stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (code, lines, stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [TestCase(Exchange.Binance)]
    [TestCase(Exchange.Kraken)]
    [TestCase(Exchange.Coinbase)]
    public void Normalizes_each_fixture_to_one_line_per_unique_trade(Exchange exchange)
    {
        var (code, stdout, stderr) = Normalize(exchange.ToWire(), FixtureTrades.PathOf(exchange));

        code.Should().Be(0);
        stderr.Should().BeEmpty();
        var expected = FixtureTrades.Of(exchange);
        stdout.Should().HaveCount(expected.Count);
        var actual = stdout.Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            var o = doc.RootElement;
            o.EnumerateObject().Select(p => p.Name).Should().Equal("exchange", "symbol", "canonical_symbol", "trade_id", "price", "quantity", "side", "exchange_ts_us");
            o.GetProperty("exchange").GetString().Should().Be(exchange.ToWire());
            o.GetProperty("price").GetString().Should().NotContainAny("E", "e").And.NotEndWith("0", "plain decimals have no trailing zeros");
            return new FixtureTrades.Expected(o.GetProperty("symbol").GetString()!, o.GetProperty("canonical_symbol").GetString()!, o.GetProperty("trade_id").GetString()!,
                decimal.Parse(o.GetProperty("price").GetString()!, CultureInfo.InvariantCulture), decimal.Parse(o.GetProperty("quantity").GetString()!, CultureInfo.InvariantCulture),
                o.GetProperty("side").GetString() == "BUY" ? TradeSide.Buy : TradeSide.Sell, o.GetProperty("exchange_ts_us").GetInt64());
        }).ToArray();
        actual.Should().BeEquivalentTo(expected, options => options.WithStrictOrdering());
    }

    [Test]
    public void Binance_first_trade_is_printed_exactly_as_the_contract_shows()
    {
        var input = Path.Combine(TestPaths.NewScratchFolder("normalize"), "one.jsonl");
        File.WriteAllText(input, "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1771338600548,\"s\":\"BTCUSDT\",\"t\":5912340001,\"p\":\"70215.50000000\",\"q\":\"0.01860000\",\"T\":1771338600545,\"m\":true,\"M\":true}}\n");

        Normalize("binance", input).Stdout.Should().Equal(
            "{\"exchange\":\"binance\",\"symbol\":\"BTCUSDT\",\"canonical_symbol\":\"BTC/USDT\",\"trade_id\":\"5912340001\",\"price\":\"70215.5\",\"quantity\":\"0.0186\",\"side\":\"SELL\",\"exchange_ts_us\":1771338600545000}");
    }

    [Test]
    public void Malformed_lines_go_to_stderr_with_line_number_and_reason_and_processing_continues()
    {
        foreach (var group in FixtureTrades.Malformed().GroupBy(m => m.Exchange))
        {
            var fixture = FixtureTrades.Lines(Enum.Parse<Exchange>(group.Key, ignoreCase: true));
            var lines = new List<string> { fixture[1] };
            lines.AddRange(group.Select(m => m.Raw.Replace("\n", " ", StringComparison.Ordinal)));
            lines.Add(fixture[^2]);
            var input = Path.Combine(TestPaths.NewScratchFolder("normalize"), $"{group.Key}.jsonl");
            File.WriteAllLines(input, lines);

            var (code, stdout, stderr) = Normalize(group.Key, input);

            code.Should().Be(0);
            stderr.Should().HaveCount(group.Count(), $"each bad {group.Key} line is reported once");
            for (var i = 0; i < stderr.Length; i++)
            {
                stderr[i].Should().MatchRegex($"^line {i + 2}: [a-z_]+: .+");
            }

            stdout.Should().NotBeEmpty("the valid frames before and after the bad ones still produce trades");
        }
    }

    [Test]
    public void Missing_file_and_unknown_exchange_fail_with_a_clear_message()
    {
        var missing = Normalize("binance", "/nonexistent/capture.jsonl");
        missing.ExitCode.Should().NotBe(0);
        missing.Stderr.Single().Should().Contain("/nonexistent/capture.jsonl").And.Contain("does not exist");

        var unknown = Normalize("bitstamp", FixtureTrades.PathOf(Exchange.Binance));
        unknown.ExitCode.Should().NotBe(0);
        unknown.Stderr.Single().Should().Contain("bitstamp").And.Contain("binance, kraken, coinbase");
    }
}
