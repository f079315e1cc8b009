using System.Text;
using K2.Core.Trades;
using K2.Exchanges;
using K2.Exchanges.Parsing;
using K2.Exchanges.Pipeline;
using K2.Tests.Exchanges;

namespace K2.Tests.Kafka;

/// <summary>A recorded exchange frame and the unique trades it yields.</summary>
internal sealed record FixtureFrame(Exchange Exchange, byte[] Raw, IReadOnlyList<NormalizedTrade> Trades, long ReceiveTimestampUs);

/// <summary>The shared exchange fixtures run through the ingestors' own parse/normalize/dedup pipeline, frame by frame.</summary>
internal static class FixtureFrames
{
    private const long ReceiveBase = 1_771_338_600_000_000;

    public static List<FixtureFrame> All() => ExchangeNames.All.SelectMany(Read).ToList();

    private static IEnumerable<FixtureFrame> Read(Exchange exchange)
    {
        var pipeline = new FramePipeline(new ExchangesOptions().Adapter(exchange), FixtureTrades.Instruments, TimeProvider.System);
        var lines = FixtureTrades.Lines(exchange);
        for (var i = 0; i < lines.Length; i++)
        {
            var raw = Encoding.UTF8.GetBytes(lines[i]);
            var receive = ReceiveBase + i * 1000L;
            var trades = new List<NormalizedTrade>();
            pipeline.Process(raw, receive, trades);
            if (trades.Count > 0) { yield return new FixtureFrame(exchange, raw, trades, receive); }
        }
    }
}
