using System.Text;
using Confluent.Kafka;
using K2.Core.Trades;
using K2.Kafka.Publishing;
using K2.Tests.Support;

namespace K2.Tests.ClickHouse;

/// <summary>Publishes trades as the normalized-trade contract describes them, with a plain producer.</summary>
internal static class TradePublisher
{
    public static async Task PublishAsync(string topic, IEnumerable<NormalizedTrade> trades, string? bootstrapServers = null)
    {
        using var producer = Producer(bootstrapServers);
        await Task.WhenAll(trades.Select(trade => producer.ProduceAsync(topic, Message(trade))));
    }

    public static Message<string, byte[]> Message(NormalizedTrade trade) => new()
    {
        Key = Encoding.UTF8.GetString(TradeMessageSerializer.Key(trade.Exchange, trade.Symbol)),
        Value = TradeMessageSerializer.Value(trade),
        Headers = new Headers
        {
            { "exchange", Encoding.UTF8.GetBytes(trade.Exchange.ToWire()) },
            { "schema_version", "1"u8.ToArray() },
            { "receive_ts_us", Encoding.UTF8.GetBytes(trade.ReceiveTimestampUs.ToString(System.Globalization.CultureInfo.InvariantCulture)) },
        },
    };

    public static async Task PublishRawAsync(string topic, string key, string value)
    {
        using var producer = Producer();
        await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = key, Value = Encoding.UTF8.GetBytes(value) });
    }

    public static IProducer<string, byte[]> Producer(string? bootstrapServers = null) =>
        new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrapServers ?? EmbeddedKafka.BootstrapServers, LingerMs = 5 }).Build();
}
