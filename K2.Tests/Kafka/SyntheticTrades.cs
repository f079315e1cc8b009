using System.Globalization;
using K2.Core.Time;
using K2.Core.Trades;

namespace K2.Tests.Kafka;

/// <summary>Trades of several symbols, interleaved, with trade ids counting up per symbol (to check order).</summary>
internal static class SyntheticTrades
{
    public static List<NormalizedTrade> Interleaved(int symbols, int perSymbol)
    {
        var trades = new List<NormalizedTrade>(symbols * perSymbol);
        for (var i = 0; i < perSymbol; i++)
        {
            for (var s = 0; s < symbols; s++)
            {
                var symbol = $"S{s}USDT";
                var now = UnixMicros.Now(TimeProvider.System);
                trades.Add(new NormalizedTrade(
                    Exchange.Binance, symbol, $"S{s}/USDT", i.ToString(CultureInfo.InvariantCulture),
                    100m + i * 0.01m, 0.001m * (s + 1), i % 2 == 0 ? TradeSide.Buy : TradeSide.Sell,
                    now, now, new TradeExtras(IsBuyerMaker: i % 2 == 1)));
            }
        }

        return trades;
    }

    /// <summary>Publishes in frames of <paramref name="frameSize"/> trades (no raw frame).</summary>
    public static async Task PublishAsync(ITradeSink sink, IReadOnlyList<NormalizedTrade> trades, int frameSize = 10)
    {
        for (var at = 0; at < trades.Count; at += frameSize)
        {
            var frame = trades.Skip(at).Take(frameSize).Select(t => t with { ReceiveTimestampUs = UnixMicros.Now(TimeProvider.System) }).ToList();
            await sink.PublishAsync(Exchange.Binance, ReadOnlyMemory<byte>.Empty, frame, frame[0].ReceiveTimestampUs, CancellationToken.None);
        }
    }

    /// <summary>Asserts that the topic holds every trade exactly once and each symbol's trades in publish order.</summary>
    public static void ShouldHoldExactlyOnceInOrder(List<KcatMessage> messages, IReadOnlyList<NormalizedTrade> published)
    {
        var read = messages.Select(m => (m.Key, m.Partition, m.Offset, Id: System.Text.Json.JsonDocument.Parse(m.Payload).RootElement.GetProperty("trade_id").GetString()!)).ToList();
        read.Select(r => $"{r.Key}#{r.Id}").Should().OnlyHaveUniqueItems("no trade may arrive twice");
        read.Should().HaveCount(published.Count, "every trade must arrive");
        foreach (var group in read.GroupBy(r => r.Key))
        {
            group.Select(r => r.Partition).Distinct().Should().ContainSingle("one key stays in one partition");
            var symbol = group.Key.Split('|')[1];
            group.OrderBy(r => r.Offset).Select(r => r.Id).Should().Equal(
                published.Where(t => t.Symbol == symbol).Select(t => t.TradeId), $"trades of {symbol} keep their order");
        }
    }
}
