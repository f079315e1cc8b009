using K2.Core.Trades;
using K2.Exchanges;
using K2.Exchanges.Sessions;
using K2.Instruments;
using K2.Tests.Exchanges.Fakes;
using K2.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Tests.Exchanges;

/// <summary>
/// A live <see cref="ExchangeIngestor"/> wired to a fake exchange, a real instruments registry and a collecting sink; on
/// the <see cref="FixtureClock"/> when the exchange replays a fixture.
/// </summary>
internal sealed class IngestorHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    private IngestorHarness(FakeExchangeServer fake, ExchangeIngestor ingestor, InstrumentRegistry registry, string instrumentsPath, CollectingSink sink)
    {
        Fake = fake;
        Ingestor = ingestor;
        Registry = registry;
        InstrumentsPath = instrumentsPath;
        Sink = sink;
    }

    public FakeExchangeServer Fake { get; }

    public ExchangeIngestor Ingestor { get; }

    public InstrumentRegistry Registry { get; }

    public string InstrumentsPath { get; }

    public CollectingSink Sink { get; }

    public static FakeExchangeServer FakeFor(Exchange exchange, IReadOnlyList<string>? timeline = null)
    {
        timeline ??= FixtureTrades.Lines(exchange);
        return exchange switch
        {
            Exchange.Binance => new FakeBinance(timeline),
            Exchange.Kraken => new FakeKraken(timeline),
            _ => new FakeCoinbase(timeline),
        };
    }

    /// <summary>A fake exchange that keeps trading (empty timeline), listing <paramref name="wireSymbols"/>.</summary>
    public static FakeExchangeServer LiveFakeFor(Exchange exchange, IReadOnlyList<string> wireSymbols)
    {
        var listed = wireSymbols.ToHashSet(StringComparer.Ordinal);
        return exchange switch
        {
            Exchange.Binance => new FakeBinance([]) { Live = true, Listed = listed },
            Exchange.Kraken => new FakeKraken([]) { Live = true, Listed = listed },
            _ => new FakeCoinbase([]) { Live = true, Listed = listed },
        };
    }

    /// <summary>A symbol of each exchange as the exchange spells it on the wire, and as instruments.yaml lists it.</summary>
    public static (string Wire, string Listed) BitcoinOf(Exchange exchange) => exchange switch
    {
        Exchange.Binance => ("BTCUSDT", "BTCUSDT"),
        Exchange.Kraken => ("BTC/USD", "XBT/USD"),
        _ => ("BTC-USD", "BTC-USD"),
    };

    /// <summary>Instruments as instruments.yaml spells them (Kraken's v1 XBT), one list per exchange.</summary>
    public static string InstrumentsYaml(Exchange exchange, IEnumerable<string> symbols) =>
        $"exchanges:\n  {exchange.ToWire()}:\n    symbols:\n{string.Concat(symbols.Select(s => $"      - {s}\n"))}";

    public static IReadOnlyList<string> FixtureSymbols(Exchange exchange) => exchange switch
    {
        Exchange.Binance => ["BTCUSDT", "ETHUSDT", "SOLUSDT"],
        Exchange.Kraken => ["XBT/USD", "ETH/USD", "SOL/USD"],
        _ => ["BTC-USD", "ETH-USD", "SOL-USD"],
    };

    public static async Task<IngestorHarness> StartAsync(
        Exchange exchange, FakeExchangeServer fake, Action<ExchangeOptions>? configure = null, IReadOnlyList<string>? symbols = null, CollectingSink? sink = null,
        Action<ExchangesOptions>? configureAll = null)
    {
        await fake.StartAsync();
        var path = Path.Combine(TestPaths.NewScratchFolder("exchanges"), "instruments.yaml");
        await File.WriteAllTextAsync(path, InstrumentsYaml(exchange, symbols ?? FixtureSymbols(exchange)));
        var registry = new InstrumentRegistry(InstrumentsFileParser.ParseFile(path), path, NullLogger<InstrumentRegistry>.Instance);
        var options = new ExchangesOptions();
        var own = options.For(exchange);
        own.WebSocketUrl = fake.WebSocketUrl;
        own.RestUrl = fake.BaseUrl;
        own.SilenceTimeoutMilliseconds = 5_000;
        own.ConnectTimeoutMilliseconds = 5_000;
        own.BackoffInitialMilliseconds = 20;
        own.BackoffMaxMilliseconds = 200;
        own.GapGraceMilliseconds = 200;
        own.RestRequestIntervalMilliseconds = 20;
        options.Binance.RotationOverlapMilliseconds = 50;
        configure?.Invoke(own);
        configureAll?.Invoke(options);
        sink ??= new CollectingSink();
        var loggers = Environment.GetEnvironmentVariable("K2_TEST_LOG") == "1"
            ? LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug))
            : NullLoggerFactory.Instance;
        var clock = fake.Live ? TimeProvider.System : FixtureClock.Instance;
        var ingestor = new ExchangeIngestor(options.Adapter(exchange), options, registry, sink, sink, resumePoints: null, clock, loggers);
        var harness = new IngestorHarness(fake, ingestor, registry, path, sink);
        await ingestor.StartAsync(harness._stop.Token);
        return harness;
    }

    /// <summary>Waits until the fake published its whole timeline and the sink holds <paramref name="count"/> trades.</summary>
    public async Task WaitForTradesAsync(int count)
    {
        await Fake.Finished.WaitAsync(TimeSpan.FromSeconds(20));
        await Eventually.Holds(() => Sink.Trades.Count >= count, TimeSpan.FromSeconds(15), () => $"{count} trades arrived (have {Sink.Trades.Count})");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Ingestor.StopAsync(timeout.Token);
        Ingestor.Dispose();
        await Fake.DisposeAsync();
        _stop.Dispose();
    }
}
