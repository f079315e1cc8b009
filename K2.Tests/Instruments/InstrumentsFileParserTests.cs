using K2.Core.Trades;
using K2.Instruments;

namespace K2.Tests.Instruments;

public sealed class InstrumentsFileParserTests
{
    [Test]
    public void The_repository_instruments_file_holds_the_reference_34_instruments()
    {
        var set = InstrumentsFileParser.ParseFile(Path.Combine(Support.TestPaths.RepoRoot, "instruments.yaml"));

        set.All.Should().HaveCount(34);
        set.For(Exchange.Binance).Should().HaveCount(12);
        set.For(Exchange.Kraken).Should().HaveCount(11);
        set.For(Exchange.Coinbase).Should().HaveCount(11);
        set.All.Select(i => i.Canonical).Should().OnlyContain(c => c.Contains('/'));
    }

    [Test]
    public void Kraken_aliases_resolve_to_canonical_assets()
    {
        var set = InstrumentsFileParser.Parse("exchanges:\n  kraken:\n    symbols: [XBT/USD, XDG/USD, ETH/USD]\n", "i.yaml");

        set.All.Select(i => (i.Symbol, i.Canonical)).Should().Equal(
            ("XBT/USD", "BTC/USD"), ("XDG/USD", "DOGE/USD"), ("ETH/USD", "ETH/USD"));
    }

    [TestCase("BTCUSDT", "BTC/USDT")]
    [TestCase("ETHBTC", "ETH/BTC")]
    [TestCase("BTCFDUSD", "BTC/FDUSD")]
    [TestCase("SOLUSDC", "SOL/USDC")]
    [TestCase("BTC-USD", "BTC/USD")]
    [TestCase("XDGUSD", "DOGE/USD")]
    public void Separator_less_symbols_split_on_the_longest_known_quote(string symbol, string canonical)
    {
        var set = InstrumentsFileParser.Parse($"exchanges:\n  binance:\n    symbols: [{symbol}]\n", "i.yaml");

        set.All.Single().Canonical.Should().Be(canonical);
    }

    [Test]
    public void An_entry_can_override_base_and_quote()
    {
        var set = InstrumentsFileParser.Parse("exchanges:\n  binance:\n    symbols:\n      - { symbol: WEIRDPAIR, base: WEIRD, quote: PAIR }\n", "i.yaml");

        set.All.Single().Should().BeEquivalentTo(new { Symbol = "WEIRDPAIR", Base = "WEIRD", Quote = "PAIR", Canonical = "WEIRD/PAIR" });
    }

    [Test]
    public void Every_problem_is_reported_with_file_and_line()
    {
        const string yaml = """
            exchanges:
              binance:
                symbols:
                  - BTCUSDT
                  - BTCUSDT
                  - "BTC USDT"
              bitstamp:
                symbols: [BTCUSD]
              kraken:
                symbols: []
              coinbase:
                symbols:
                  - QQQQ
            """;

        var act = () => InstrumentsFileParser.Parse(yaml, "bad.yaml");

        var problems = act.Should().Throw<InstrumentsFileException>().Which.Problems;
        problems.Should().HaveCount(5);
        problems.Should().Contain(p => p.StartsWith("bad.yaml:5:") && p.Contains("duplicate symbol 'BTCUSDT'") && p.Contains("line 4"));
        problems.Should().Contain(p => p.StartsWith("bad.yaml:6:") && p.Contains("bad characters"));
        problems.Should().Contain(p => p.StartsWith("bad.yaml:7:") && p.Contains("unknown exchange 'bitstamp'") && p.Contains("binance, kraken, coinbase"));
        problems.Should().Contain(p => p.StartsWith("bad.yaml:10:") && p.Contains("empty symbol list"));
        problems.Should().Contain(p => p.StartsWith("bad.yaml:13:") && p.Contains("cannot tell base from quote"));
    }

    [Test]
    public void Two_symbols_with_one_canonical_name_on_one_exchange_are_refused()
    {
        var act = () => InstrumentsFileParser.Parse("exchanges:\n  kraken:\n    symbols: [XBT/USD, BTC/USD]\n", "i.yaml");

        act.Should().Throw<InstrumentsFileException>().Which.Problems.Single()
            .Should().Contain("'BTC/USD' and 'XBT/USD' (line 3) are both BTC/USD");
    }

    [Test]
    public void Invalid_yaml_names_the_line()
    {
        var act = () => InstrumentsFileParser.Parse("exchanges:\n  binance:\n    symbols: [BTCUSDT\n", "x.yaml");

        act.Should().Throw<InstrumentsFileException>().Which.Problems.Single().Should().StartWith("x.yaml:").And.Contain("invalid YAML");
    }
}
