using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using K2.Core.Trades;
using K2.Query.Server;
using K2.Tests.Exchanges;
using K2.Tests.Exchanges.Fakes;
using K2.Tests.Support;
using PuppeteerSharp;

namespace K2.Tests.Query;

/// <summary>
/// The web console in headless Chromium (Debian's <c>chromium</c>, driven over its DevTools protocol) against a real
/// <c>k2 run</c> fed by the local exchange servers, with an API key configured: the key is entered once, the page loads
/// without console errors, the feeds table lists every configured symbol with a non-zero rate, the chart draws the
/// candles <c>/v1/candles</c> serves, and the pipeline panel shows the sections of <c>k2 status</c>. The screenshot is
/// the test's artefact (and the README's picture).
/// </summary>
[NonParallelizable]
public sealed class WebConsoleTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    /// <summary>Exchange → the symbols instruments.yaml lists and the same symbols as the exchange prints them.</summary>
    private static readonly (Exchange Exchange, string[] Listed, string[] Wire)[] Feeds =
    [
        (Exchange.Binance, ["BTCUSDT", "ETHUSDT"], ["BTCUSDT", "ETHUSDT"]),
        (Exchange.Kraken, ["XBT/USD", "ETH/USD"], ["BTC/USD", "ETH/USD"]),
        (Exchange.Coinbase, ["BTC-USD", "ETH-USD"], ["BTC-USD", "ETH-USD"]),
    ];

    [Test]
    public async Task The_console_shows_every_feed_live_and_draws_the_candles_the_api_serves_after_the_key_is_entered_once()
    {
        var markets = new List<RandomWalkMarket>();
        foreach (var (exchange, _, wire) in Feeds)
        {
            var fake = IngestorHarness.LiveFakeFor(exchange, wire);
            await fake.StartAsync();
            markets.Add(new RandomWalkMarket(fake, wire, seed: (int)exchange));
        }

        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var listen = $"127.0.0.1:{ExternalProcess.FreeTcpPort()}";
        using var trading = new CancellationTokenSource();
        Task? keepTrading = null;
        try
        {
            using var daemon = K2Process.Start(["run"], DaemonEnvironment(listen, key, markets));
            using var http = new HttpClient { BaseAddress = new Uri($"http://{listen}"), Timeout = TimeSpan.FromSeconds(30) };
            await Eventually.Holds(async () =>
            {
                if (daemon.HasExited) { Assert.Fail($"k2 run exited: {daemon.StandardError}"); }
                try { return (await http.GetAsync("/console/settings.json")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }, Deadline, "the query listener of k2 run answers");
            (await http.GetAsync("/v1/feeds")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the state endpoints respect API keys");
            http.DefaultRequestHeaders.Add("X-API-Key", key);

            await Task.WhenAll(markets.Select(m => m.Exchange.WaitForSubscriberAsync(m.Symbols)));
            var now = DateTimeOffset.UtcNow;
            foreach (var market in markets) { market.History(now.AddHours(-3), now.AddSeconds(-5)); }
            keepTrading = KeepTradingAsync(markets, trading.Token);
            await Eventually.Holds(async () => (await CandlesAsync(http, "1m")).Count >= 170, Deadline, "three hours of Binance BTC/USDT 1m candles in the hot tier");

            var artefact = Path.Combine(TestContext.CurrentContext.WorkDirectory, "console.png");
            await using var browser = await LaunchChromiumAsync();
            await using var page = await browser.NewPageAsync();
            var errors = new List<string>();
            page.Console += (_, e) => { if (e.Message.Type == ConsoleType.Error) { lock (errors) { errors.Add(e.Message.Text); } } };
            page.PageError += (_, e) => { lock (errors) { errors.Add(e.Message); } };
            await page.SetViewportAsync(new ViewPortOptions { Width = 1600, Height = 1000 });
            await page.GoToAsync($"http://{listen}/#exchange=binance&symbol=BTC%2FUSDT&interval=1m", WaitUntilNavigation.Load);

            await page.WaitForSelectorAsync("#key-input", new WaitForSelectorOptions { Visible = true });
            await page.TypeAsync("#key-input", key);
            await page.ClickAsync("#key-form button[type=submit]");
            await page.WaitForSelectorAsync("#key-form", new WaitForSelectorOptions { Hidden = true });

            var configured = Feeds.SelectMany(f => f.Wire.Select(w => $"{f.Exchange.ToWire()} {w}")).Order(StringComparer.Ordinal).ToArray();
            await FeedsLiveAsync(page, configured);

            // Trading stops so the last candle stops moving; the chart re-reads it until it matches what the API serves.
            await trading.CancelAsync();
            await keepTrading;
            (await ChartMatchesApiAsync(page, http, "1m")).Should().BeGreaterThanOrEqualTo(170);

            var sections = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#pipeline .pipeline-section')].map(s => s.dataset.title)");
            sections.Should().Contain(["Exchanges", "Kafka"]).And.Contain(s => s.StartsWith("Hot tier", StringComparison.Ordinal))
                .And.Contain("Offload").And.Contain("Maintenance");

            await page.ScreenshotAsync(artefact, new ScreenshotOptions { FullPage = true });
            TestContext.AddTestAttachment(artefact, "the web console");
            TestContext.Progress.WriteLine($"console screenshot: {artefact}");

            // A rolled-up interval is drawn from what the API rolls up.
            await page.SelectAsync("#interval", "4h");
            (await ChartMatchesApiAsync(page, http, "4h")).Should().BeInRange(1, 2, "three hours of trades fall in one or two 4h windows");

            // The key was entered once: a reload in the same tab asks no more and shows the feeds again.
            await page.ReloadAsync();
            await page.WaitForSelectorAsync("#feeds tbody tr");
            (await page.EvaluateExpressionAsync<string>("getComputedStyle(document.getElementById('key-form')).display")).Should().Be("none", "the key is kept in the tab's session");

            lock (errors) { errors.Should().BeEmpty("the console runs without errors"); }
            daemon.Interrupt();
            daemon.WaitForExit(TimeSpan.FromSeconds(30)).Should().BeTrue();
        }
        finally
        {
            await trading.CancelAsync();
            if (keepTrading is not null) { await keepTrading; }
            foreach (var market in markets) { await market.Exchange.DisposeAsync(); }
        }
    }

    private static async Task FeedsLiveAsync(IPage page, string[] configured)
    {
        FeedRow[] rows = [];
        await Eventually.Holds(async () =>
        {
            var json = await page.EvaluateExpressionAsync<string>(
                "JSON.stringify([...document.querySelectorAll('#feeds tbody tr')].map(tr => ({ exchange: tr.dataset.exchange, symbol: tr.dataset.symbol, rate: Number(tr.dataset.rate), connected: tr.cells[3].textContent })))");
            rows = JsonSerializer.Deserialize<FeedRow[]>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            return rows.Select(r => $"{r.Exchange} {r.Symbol}").Order(StringComparer.Ordinal).SequenceEqual(configured)
                && rows.All(r => r.Rate > 0 && r.Connected == "yes");
        }, Deadline, () => $"the feeds table lists {string.Join(", ", configured)}, connected, each with a non-zero rate; it shows {string.Join("; ", rows.Select(r => $"{r.Exchange} {r.Symbol} {r.Connected} {r.Rate}/s"))}");
    }

    private sealed record FeedRow(string Exchange, string Symbol, double Rate, string Connected);

    /// <summary>Waits until the chart draws as many Binance BTC/USDT candles of <paramref name="interval"/> as the API serves, with the same last close; returns the count.</summary>
    private static async Task<int> ChartMatchesApiAsync(IPage page, HttpClient http, string interval)
    {
        IReadOnlyList<JsonElement> served = [];
        (int Candles, string LastClose, string Interval) drawn = default;
        string LastClose() => served.Count > 0 ? served[^1].GetProperty("close").GetString()! : "-";
        await Eventually.Holds(async () =>
        {
            served = await CandlesAsync(http, interval);
            drawn = await DrawnAsync(page);
            return served.Count > 0 && drawn.Interval == interval && drawn.Candles == served.Count && drawn.LastClose == LastClose();
        }, Deadline, () => $"the chart draws the {interval} candles /v1/candles serves ({served.Count}, last close {LastClose()}); drawn {drawn.Candles} {drawn.Interval}, last close {drawn.LastClose}");
        return drawn.Candles;
    }

    private static async Task<(int Candles, string LastClose, string Interval)> DrawnAsync(IPage page)
    {
        var drawn = await page.EvaluateExpressionAsync<string[]>(
            "[document.getElementById('chart').dataset.candles ?? '0', document.getElementById('chart').dataset.lastClose ?? '', document.getElementById('chart').dataset.interval ?? '']");
        return (int.Parse(drawn[0], CultureInfo.InvariantCulture), drawn[1], drawn[2]);
    }

    private static async Task<IReadOnlyList<JsonElement>> CandlesAsync(HttpClient http, string interval)
    {
        using var document = await http.GetFromJsonAsync<JsonDocument>($"/v1/candles?interval={interval}&symbol=BTC/USDT&exchange=binance");
        return [.. document!.RootElement.GetProperty("data").EnumerateArray().Select(e => e.Clone())];
    }

    private static async Task<IBrowser> LaunchChromiumAsync()
    {
        File.Exists(Chromium).Should().BeTrue($"Debian's chromium is at {Chromium} (scripts/setup-test-deps.sh installs it)");
        return await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            UserDataDir = TestPaths.NewScratchFolder("chromium"),

            // As root, without the sandbox; without the background services, whose connections this machine's network refuses.
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            ],
        });
    }

    /// <summary>Trades on every exchange at the current time, a few a second per symbol, until cancelled.</summary>
    private static async Task KeepTradingAsync(IReadOnlyList<RandomWalkMarket> markets, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var market in markets) { market.TradeNow(); }
            await Task.Delay(200, CancellationToken.None);
        }
    }

    private static Dictionary<string, string> DaemonEnvironment(string listen, string key, IReadOnlyList<RandomWalkMarket> markets)
    {
        var folder = TestPaths.NewScratchFolder("console");
        var instruments = Path.Combine(folder, "instruments.yaml");
        File.WriteAllText(instruments, "exchanges:\n" + string.Concat(Feeds.Select(f => $"  {f.Exchange.ToWire()}:\n    symbols: [{string.Join(", ", f.Listed)}]\n")));
        var environment = new Dictionary<string, string>
        {
            ["K2__Storage__DataDir"] = folder,
            ["K2__Instruments__Path"] = instruments,
            ["K2__Observability__Listen"] = $"127.0.0.1:{ExternalProcess.FreeTcpPort()}",
            ["K2__Modules__Query__Listen"] = listen,
            ["K2__Modules__Query__ApiKeys__0__Name"] = "console",
            ["K2__Modules__Query__ApiKeys__0__Sha256"] = ApiKeyCheck.Hash(key),
            ["K2__Modules__ClickHouse__Kafka__FlushIntervalMilliseconds"] = "200",
        };
        foreach (var market in markets)
        {
            var section = $"K2__Modules__Exchanges__{market.Exchange switch { FakeBinance => "Binance", FakeKraken => "Kraken", _ => "Coinbase" }}";
            environment[$"{section}__WebSocketUrl"] = market.Exchange.WebSocketUrl.ToString();
            environment[$"{section}__RestUrl"] = market.Exchange.BaseUrl.ToString();
            environment[$"{section}__BackoffInitialMilliseconds"] = "20";
            environment[$"{section}__BackoffMaxMilliseconds"] = "200";
        }

        return environment;
    }

    /// <summary>
    /// A live fake exchange whose symbols trade at prices that walk at random (seeded), trade ids rising by one per
    /// symbol so no gap opens: three hours of history at a trade every 2 s, then trades at the current time.
    /// </summary>
    private sealed class RandomWalkMarket(FakeExchangeServer exchange, IReadOnlyList<string> symbols, int seed)
    {
        private readonly Random _random = new(seed);
        private readonly Dictionary<string, (long NextId, decimal Price)> _state = symbols.ToDictionary(
            s => s, s => (7_000_000L, s.StartsWith("BTC", StringComparison.Ordinal) ? 70_000.00m : 3_500.00m), StringComparer.Ordinal);

        public FakeExchangeServer Exchange => exchange;

        public IReadOnlyList<string> Symbols => symbols;

        public void History(DateTimeOffset from, DateTimeOffset to)
        {
            for (var minute = from; minute < to; minute = minute.AddMinutes(1))
            {
                foreach (var symbol in symbols)
                {
                    exchange.Append(Enumerable.Range(0, 30).Select(i => Frame(symbol, minute.AddSeconds(i * 2))));
                }
            }
        }

        public void TradeNow()
        {
            var now = DateTimeOffset.UtcNow;
            exchange.Append(symbols.Select(symbol => Frame(symbol, now)));
        }

        private string Frame(string symbol, DateTimeOffset at)
        {
            var (id, price) = _state[symbol];
            var step = (decimal)(_random.NextDouble() - 0.5) * price * 0.0006m;
            price = Math.Round(Math.Max(1m, price + step), 2);
            _state[symbol] = (id + 1, price);
            var quantity = Math.Round(0.001m + (decimal)_random.NextDouble() * 0.02m, 6);
            return exchange.TradeFrame(symbol, id, price, quantity, at.ToUnixTimeMilliseconds() * 1000, takerBuys: _random.Next(2) == 0);
        }
    }
}
