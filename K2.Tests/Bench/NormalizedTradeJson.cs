using K2.Core.Trades;
using K2.Kafka.Publishing;

namespace K2.Bench;

/// <summary>
/// A normalized trade as the Kafka message of docs/normalized-trade-message.md (schema_version 1), for
/// synthetic load and tests of the consumers; written by the Kafka module's own serializer.
/// </summary>
internal static class NormalizedTradeJson
{
    public static byte[] Encode(NormalizedTrade trade) => TradeMessageSerializer.Value(trade);

    /// <summary>The message key: <c>exchange|symbol</c>.</summary>
    public static string Key(NormalizedTrade trade) => $"{trade.Exchange.ToWire()}|{trade.Symbol}";
}
