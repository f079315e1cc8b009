using System.Diagnostics;
using System.Globalization;
using System.Text;
using K2.Core.Trades;
using K2.Exchanges;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;
using K2.Instruments;

namespace K2.Daemon.Bench;

/// <summary>
/// <c>k2 bench normalize</c>: parse + normalize throughput and allocated bytes per frame of each exchange's
/// parser on synthetic one-trade frames (single thread), plus the full pipeline (dedup and gap ledger) for Binance.
/// </summary>
internal sealed class NormalizeBench : IBenchScenario
{
    private const int DistinctFrames = 4096;

    public string Name => "normalize";

    public string Description => "Parse+normalize throughput and bytes allocated per frame for Binance, Kraken and Coinbase trade frames";

    public Task<BenchReport> RunAsync(BenchArguments arguments, CancellationToken cancellationToken)
    {
        var instruments = new InstrumentSet(
        [
            new Instrument(Exchange.Binance, "BTCUSDT", "BTC", "USDT"),
            new Instrument(Exchange.Kraken, "XBT/USD", "BTC", "USD"),
            new Instrument(Exchange.Coinbase, "BTC-USD", "BTC", "USD"),
        ]);
        var details = new Dictionary<string, object>();
        long totalFrames = 0, totalAllocated = 0;
        var totalSeconds = 0.0;
        var options = new ExchangesOptions();
        foreach (var exchange in ExchangeNames.All)
        {
            var adapter = options.Adapter(exchange);
            var parser = adapter.CreateParser(SymbolTable.From(adapter, instruments));
            var frames = Enumerable.Range(0, DistinctFrames).Select(i => Encoding.UTF8.GetBytes(Frame(exchange, i))).ToArray();
            var trades = new List<ParsedTrade>();
            var invalid = frames.Count(frame => parser.Parse(frame, 1, trades).Kind != FrameKind.Trades);
            if (invalid > 0) { throw new InvalidOperationException($"{invalid} synthetic {exchange.ToWire()} frames did not parse as trades"); }
            var result = Measure(frames, arguments.Records, (frame, output) => parser.Parse(frame, 1, output));
            details[exchange.ToWire()] = result.ToDetails();
            totalFrames += result.Frames;
            totalAllocated += result.AllocatedBytes;
            totalSeconds += result.Seconds;
        }

        var pipeline = new FramePipeline(options.Adapter(Exchange.Binance), instruments, TimeProvider.System);
        var binanceFrames = Enumerable.Range(0, DistinctFrames).Select(i => Encoding.UTF8.GetBytes(Frame(Exchange.Binance, i))).ToArray();
        var unique = new List<NormalizedTrade>();
        var full = Measure(binanceFrames, arguments.Records, (frame, _) =>
        {
            unique.Clear();
            pipeline.Process(frame, 1, unique);
        });
        details["binance_with_dedup_and_gap_ledger"] = full.ToDetails();
        details["load_average_1m"] = LoadAverage();

        return Task.FromResult(new BenchReport
        {
            Scenario = Name,
            Records = totalFrames,
            Seconds = Math.Round(totalSeconds, 3),
            AllocatedBytesPerRecord = Math.Round((double)totalAllocated / totalFrames, 1),
            Details = details,
        });
    }

    private delegate void FrameAction(ReadOnlySpan<byte> frame, List<ParsedTrade> output);

    /// <param name="CpuSeconds">Process CPU time spent: on a shared machine, frames per CPU second is the per-core figure.</param>
    private readonly record struct Result(long Frames, double Seconds, double CpuSeconds, long AllocatedBytes)
    {
        public Dictionary<string, object> ToDetails() => new()
        {
            ["frames"] = Frames,
            ["seconds"] = Math.Round(Seconds, 3),
            ["frames_per_second"] = Math.Round(Frames / Seconds),
            ["cpu_seconds"] = Math.Round(CpuSeconds, 3),
            ["frames_per_cpu_second"] = Math.Round(Frames / CpuSeconds),
            ["allocated_bytes_per_frame"] = Math.Round((double)AllocatedBytes / Frames, 1),
        };
    }

    /// <summary>Frames are cycled with a rising trade id so dedup sees every frame as new.</summary>
    private static Result Measure(byte[][] frames, long count, FrameAction action)
    {
        var output = new List<ParsedTrade>(16);
        for (var i = 0; i < frames.Length; i++)
        {
            output.Clear();
            action(frames[i], output);
        }

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var watch = Stopwatch.StartNew();
        for (long i = 0; i < count; i++)
        {
            output.Clear();
            action(frames[i % frames.Length], output);
        }

        watch.Stop();
        var cpu = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds;
        return new Result(count, watch.Elapsed.TotalSeconds, cpu, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
    }

    /// <summary>The machine's 1-minute load average (context for figures taken on a shared machine), or -1.</summary>
    private static double LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    private static string Frame(Exchange exchange, int i)
    {
        var id = 5_912_340_001L + i;
        var priceValue = 70_000m + i % 997 / 10m;
        var quantityValue = 0.0001m * (1 + i % 313);
        var price = priceValue.ToString("0.00000000", CultureInfo.InvariantCulture);
        var quantity = quantityValue.ToString("0.00000000", CultureInfo.InvariantCulture);
        var ms = 1_771_338_600_545L + i;
        var rfc3339 = DateTimeOffset.FromUnixTimeMilliseconds(ms).AddTicks(i % 10 * 10).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        return exchange switch
        {
            Exchange.Binance => $"{{\"stream\":\"btcusdt@trade\",\"data\":{{\"e\":\"trade\",\"E\":{ms + 3},\"s\":\"BTCUSDT\",\"t\":{id},\"p\":\"{price}\",\"q\":\"{quantity}\",\"T\":{ms},\"m\":{(i % 2 == 0 ? "true" : "false")},\"M\":true}}}}",
            Exchange.Kraken => $"{{\"channel\":\"trade\",\"type\":\"update\",\"data\":[{{\"symbol\":\"BTC/USD\",\"side\":\"{(i % 2 == 0 ? "buy" : "sell")}\",\"price\":{DecimalText.Format(priceValue)},\"qty\":{quantity},\"ord_type\":\"limit\",\"trade_id\":{id},\"timestamp\":\"{rfc3339}\"}}]}}",
            _ => $"{{\"channel\":\"market_trades\",\"client_id\":\"\",\"timestamp\":\"{rfc3339}\",\"sequence_num\":{i},\"events\":[{{\"type\":\"update\",\"trades\":[{{\"trade_id\":\"{id}\",\"product_id\":\"BTC-USD\",\"price\":\"{DecimalText.Format(priceValue)}\",\"size\":\"{DecimalText.Format(quantityValue)}\",\"side\":\"{(i % 2 == 0 ? "BUY" : "SELL")}\",\"time\":\"{rfc3339}\"}}]}}]}}",
        };
    }
}
