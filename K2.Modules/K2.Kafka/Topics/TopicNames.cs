using K2.Core.Trades;

namespace K2.Kafka.Topics;

/// <summary>The topic names of K2 (see docs/kafka.md).</summary>
internal static class TopicNames
{
    public const string DeadLetters = "market.crypto.trades.dlq";

    public static string Normalized(Exchange exchange) => Cache[(int)exchange].Normalized;

    public static string Raw(Exchange exchange) => Cache[(int)exchange].Raw;

    private static readonly (string Normalized, string Raw)[] Cache =
        ExchangeNames.All.OrderBy(e => (int)e).Select(e => ($"market.crypto.trades.{e.ToWire()}", $"market.crypto.trades.{e.ToWire()}.raw")).ToArray();
}
