using K2.Core.Trades;
using K2.Kafka.Publishing;

namespace K2.Kafka.Topics;

/// <summary>
/// K2's topic names (docs/kafka.md): <c>&lt;prefix&gt;&lt;exchange&gt;</c> for normalized trades,
/// <c>&lt;prefix&gt;&lt;exchange&gt;.raw</c> for the exchanges' frames and <c>&lt;prefix&gt;dlq</c> for dead letters.
/// The prefix is <c>Modules:Kafka:Topics:Prefix</c>; every module that reads the topics takes the names from here.
/// </summary>
public sealed class KafkaTopicNames
{
    /// <summary>The prefix of the topic names unless configured otherwise.</summary>
    public const string DefaultPrefix = "market.crypto.trades.";

    private readonly string[] _normalized;
    private readonly string[] _raw;

    public KafkaTopicNames(string prefix = DefaultPrefix)
    {
        Prefix = prefix;
        DeadLetters = prefix + "dlq";
        _normalized = [.. ExchangeNames.All.OrderBy(e => (int)e).Select(e => prefix + e.ToWire())];
        _raw = [.. _normalized.Select(topic => topic + ".raw")];
    }

    public string Prefix { get; }

    /// <summary>The dead-letter topic.</summary>
    public string DeadLetters { get; }

    /// <summary>The topic of an exchange's normalized trades.</summary>
    public string Normalized(Exchange exchange) => _normalized[(int)exchange];

    /// <summary>The topic of an exchange's frames as received.</summary>
    public string Raw(Exchange exchange) => _raw[(int)exchange];

    internal string For(RecordKind kind, Exchange exchange) => kind switch
    {
        RecordKind.Trade => Normalized(exchange),
        RecordKind.Raw => Raw(exchange),
        _ => DeadLetters,
    };
}
