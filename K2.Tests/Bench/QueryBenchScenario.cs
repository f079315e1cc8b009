using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Time;
using K2.Core.Trades;
using K2.Daemon.Replay;
using K2.Offload;
using K2.Offload.Tables;
using K2.Query;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Bench;

/// <summary>
/// <c>k2 bench query --records N</c>: the query API of an embedded daemon over N synthetic BTC/USDT trades (Binance),
/// the first half offloaded to the cold tier. (a) A 1,000-candle 1m request from the hot tier by 16 concurrent clients,
/// next to the same SQL run directly on the engine by 16 concurrent callers, in three alternating rounds each; (b) the
/// whole range exported through the API as Parquet and as Arrow, following the cursor, next to the engine's own export of
/// the same trades in one statement: rows/s, CPU seconds and peak RSS over the idle daemon of each.
/// </summary>
internal sealed class QueryBenchScenario : IBenchScenario
{
    private const int Clients = 16;
    private const int RequestsPerClient = 40;
    private const int Candles = 1_000;

    // The API's and the engine's candle rounds alternate, so a change in the host's load falls on both alike.
    private const int CandleRounds = 3;
    private const int ExportPageRows = 500_000;

    // The API's row cap per page (Modules:Query:MaxPageRows): fewer pages spread each page's fixed cost, at the price of memory.
    private const int LargestPageRows = 1_000_000;
    private const long SpacingMicros = 30_000;

    public string Name => "query";

    public string Description => "Query API: 1,000-candle hot requests by 16 clients vs the engine, and an export of N trades over hot and cold as Parquet and Arrow";

    public async Task<BenchReport> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        var port = FreePort();
        await using var pipeline = await EmbeddedPipeline.StartAsync(arguments.DataDir, new Dictionary<string, string?>
        {
            ["Modules:Query:Listen"] = $"127.0.0.1:{port}",
            ["Modules:Query:PermitsPerMinute"] = "1000000",
            ["Modules:Query:QueryTimeoutSeconds"] = "600",
        }, cancellationToken);
        var gateway = pipeline.Gateway;
        var start = UnixMicros.FromDateTimeOffset(new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-2), TimeSpan.Zero));
        var half = arguments.Records / 2;
        await LoadAsync(gateway, pipeline.Database, start, 0, half, cancellationToken);
        var offload = (await pipeline.Services.GetRequiredService<IOffloadOnDemand>().RunAsync([ColdTables.Silver], cancellationToken)).Single();
        await LoadAsync(gateway, pipeline.Database, start, half, arguments.Records - half, cancellationToken);
        var end = start + (arguments.Records * SpacingMicros);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(10) };
        var candleFrom = end - ((Candles + 10) * 60_000_000L);
        var candleTo = candleFrom + (Candles * 60_000_000L);
        var candleUrl = $"/v1/candles?symbol=BTC/USDT&exchange=binance&interval=1m&from={candleFrom}&to={candleTo}";
        using (var probe = JsonDocument.Parse(await http.GetStringAsync(candleUrl, cancellationToken)))
        {
            var count = probe.RootElement.GetProperty("count").GetInt32();
            if (count != Candles) { throw new InvalidOperationException($"the candle request returned {count} candles, not {Candles}"); }
        }

        var (sql, parameters) = QueryStatements.HotCandles(pipeline.Database, Exchange.Binance, "BTC/USDT", "1m", candleFrom, candleTo, UnixMicros.Now(TimeProvider.System));
        var apiRounds = new List<Round>();
        var engineRounds = new List<Round>();
        for (var round = 0; round < CandleRounds; round++)
        {
            apiRounds.Add(await ConcurrentAsync(async () =>
            {
                using var response = await http.GetAsync(candleUrl, HttpCompletionOption.ResponseContentRead, cancellationToken);
                response.EnsureSuccessStatusCode();
            }, cancellationToken));
            engineRounds.Add(await ConcurrentAsync(async () =>
            {
                await using var rows = await gateway.QueryStreamAsync(sql, "JSONEachRow", parameters, cancellationToken);
                await rows.CopyToAsync(Stream.Null, cancellationToken);
            }, cancellationToken));
        }

        var api = Latency.Of(apiRounds);
        var engine = Latency.Of(engineRounds);

        var exports = new Dictionary<string, object>();
        foreach (var format in new[] { "parquet", "arrow" })
        {
            var (exportSql, exportFormat, exportParameters) = await QueryStatements.TradesAsync(pipeline.Services, Exchange.Binance, "BTC/USDT", start, end, format, cancellationToken);
            exports[format] = new Dictionary<string, object>
            {
                ["api"] = await MeasureExportAsync(gateway, () => ApiExportAsync(http, format, start, end, ExportPageRows, cancellationToken), arguments.Records, cancellationToken),
                ["api_largest_pages"] = await MeasureExportAsync(gateway, () => ApiExportAsync(http, format, start, end, LargestPageRows, cancellationToken), arguments.Records, cancellationToken),
                ["engine"] = await MeasureExportAsync(gateway, () => EngineExportAsync(gateway, exportSql, exportFormat, exportParameters, cancellationToken), arguments.Records, cancellationToken),
            };
        }

        return new BenchReport
        {
            Scenario = Name,
            Records = arguments.Records,
            Seconds = 0,
            P50Milliseconds = api.P50,
            P99Milliseconds = api.P99,
            Details = new Dictionary<string, object>
            {
                ["candles_hot_api"] = api,
                ["candles_hot_engine"] = engine,
                ["api_over_engine_p50_percent"] = Math.Round(((api.P50 / engine.P50) - 1) * 100, 1),
                ["api_over_engine_p99_percent"] = Math.Round(((api.P99 / engine.P99) - 1) * 100, 1),
                ["api_over_engine_throughput_percent"] = Math.Round(((engine.RequestsPerSecond / api.RequestsPerSecond) - 1) * 100, 1),
                ["cold_rows"] = offload.Rows,
                ["hot_rows_above_watermark"] = arguments.Records - half,
                ["export"] = exports,
                ["load_average"] = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg", cancellationToken)).Trim() : "",
            },
        };
    }

    /// <summary>
    /// Latency figures of <see cref="Clients"/> callers each making <see cref="RequestsPerClient"/> requests, over all rounds.
    /// </summary>
    internal sealed record Latency(double P50, double P99, double RequestsPerSecond, int Requests, int Clients, int Rounds)
    {
        public static Latency Of(IReadOnlyList<Round> rounds)
        {
            var samples = rounds.SelectMany(r => r.Milliseconds).ToList();
            return new Latency(Math.Round(BenchReport.Percentile(samples, 50), 2), Math.Round(BenchReport.Percentile(samples, 99), 2),
                Math.Round(samples.Count / rounds.Sum(r => r.Seconds), 1), samples.Count, QueryBenchScenario.Clients, rounds.Count);
        }
    }

    /// <summary>One round's request latencies and its wall time.</summary>
    internal sealed record Round(List<double> Milliseconds, double Seconds);

    private static async Task<Round> ConcurrentAsync(Func<Task> request, CancellationToken cancellationToken)
    {
        for (var i = 0; i < Clients; i++) { await request(); }
        var samples = new List<double>();
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < RequestsPerClient; i++)
            {
                var clock = Stopwatch.StartNew();
                await request();
                lock (samples) { samples.Add(clock.Elapsed.TotalMilliseconds); }
            }
        }, cancellationToken)));
        return new Round(samples, total.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Times <paramref name="export"/> (which returns the pages and bytes it received), samples RSS every 50 ms and takes the
    /// process's CPU time, the figure least disturbed by other work on a shared machine.
    /// </summary>
    private static async Task<Dictionary<string, object>> MeasureExportAsync(IClickHouseGateway gateway, Func<Task<(int Pages, long Bytes)>> export, long rows,
        CancellationToken cancellationToken)
    {
        await gateway.ReleaseFreedMemoryAsync(cancellationToken);
        GC.Collect();
        var idle = ProcessFigures.RssMegabytes();
        var peak = idle;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, ProcessFigures.RssMegabytes());
                try { await Task.Delay(50, stop.Token); } catch (OperationCanceledException) { }
            }
        }, CancellationToken.None);

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var (pages, bytes) = await export();
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        await stop.CancelAsync();
        await sampler;
        return new Dictionary<string, object>
        {
            ["rows"] = rows,
            ["pages"] = pages,
            ["seconds"] = Math.Round(seconds, 3),
            ["rows_per_second"] = Math.Round(rows / seconds, 0),
            ["cpu_seconds"] = Math.Round(cpuSeconds, 2),
            ["rows_per_cpu_second"] = Math.Round(rows / cpuSeconds, 0),
            ["bytes"] = bytes,
            ["idle_rss_mb"] = idle,
            ["peak_rss_mb"] = peak,
            ["peak_rss_over_idle_mb"] = Math.Round(peak - idle, 1),
            ["load_average"] = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg", cancellationToken)).Trim() : "",
        };
    }

    /// <summary>The whole range through <c>/v1/trades</c> in <paramref name="format"/>, page by page, following the cursor.</summary>
    private static async Task<(int Pages, long Bytes)> ApiExportAsync(HttpClient http, string format, long from, long to, int pageRows, CancellationToken cancellationToken)
    {
        long bytes = 0;
        var pages = 0;
        string? cursor = null;
        do
        {
            var url = $"/v1/trades?symbol=BTC/USDT&exchange=binance&from={from}&to={to}&limit={pageRows}&format={format}" + (cursor is null ? "" : $"&cursor={cursor}");
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var counter = new CountingStream();
            await body.CopyToAsync(counter, cancellationToken);
            bytes += counter.Count;
            pages++;
            cursor = response.Headers.TryGetValues("K2-Next-Cursor", out var next) ? next.Single() : null;
        }
        while (cursor is not null);
        return (pages, bytes);
    }

    /// <summary>The same trades as one statement on the engine, in ClickHouse's own output format (<see cref="QueryStatements.TradesAsync"/>).</summary>
    private static async Task<(int Pages, long Bytes)> EngineExportAsync(IClickHouseGateway gateway, string sql, string format, IReadOnlyDictionary<string, string> parameters,
        CancellationToken cancellationToken)
    {
        await using var rows = await gateway.QueryStreamAsync(sql, format, parameters, cancellationToken);
        var counter = new CountingStream();
        await rows.CopyToAsync(counter, cancellationToken);
        return (1, counter.Count);
    }

    /// <summary>
    /// Trades <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> of one Binance symbol, every 30 ms
    /// (the hot half spans more than 1,000 minutes), written into bronze as the Kafka engine would. Trade ids have ten digits
    /// and grow with time, as Binance's do, so silver's key order (exchange, symbol, trade id) follows time as it does live.
    /// </summary>
    private static async Task LoadAsync(IClickHouseGateway gateway, string database, long start, long first, long count, CancellationToken cancellationToken)
    {
        const long batch = 1_000_000;
        for (var from = first; from < first + count; from += batch)
        {
            var rows = Math.Min(batch, first + count - from);
            await gateway.ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $"""
                INSERT INTO {database}.{HotTierMigrations.BronzeTable(Exchange.Binance)} (schema_version, exchange, symbol, canonical_symbol, trade_id, price, quantity, side,
                    exchange_ts_us, receive_ts_us, is_snapshot, kafka_topic, kafka_partition, kafka_offset, ingested_at)
                SELECT 1, 'binance', 'BTCUSDT', 'BTC/USDT', toString(5000000000 + number),
                    concat(toString(60000 + number % 1000), '.', toString(number % 100)), concat('0.', leftPad(toString(number % 977 + 1), 4, '0')),
                    if(number % 2 = 0, 'BUY', 'SELL'), {start} + number * {SpacingMicros} AS ts, ts + 3000, false,
                    'market.crypto.trades.binance', number % 2, intDiv(number, 2), now64(6, 'UTC') - toIntervalSecond(60)
                FROM numbers({from}, {rows})
                """), cancellationToken: cancellationToken);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class CountingStream : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Count;

        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public override void Flush() { }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Count += count;

        public override void Write(ReadOnlySpan<byte> buffer) => Count += buffer.Length;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}
