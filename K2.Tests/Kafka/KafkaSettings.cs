namespace K2.Tests.Kafka;

/// <summary>Module settings for tests against a cluster the test controls.</summary>
internal static class KafkaSettings
{
    /// <summary>Embedded mode (on the test's cluster) with small topics and limits that make spooling happen soon.</summary>
    public static Dictionary<string, string?> Small(params (string Key, string Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mode"] = "Embedded",
            ["Topics:Exchanges:binance:Partitions"] = "4",
            ["Topics:Exchanges:binance:RawPartitions"] = "2",
            ["Topics:Exchanges:kraken:Partitions"] = "2",
            ["Topics:Exchanges:kraken:RawPartitions"] = "1",
            ["Topics:Exchanges:coinbase:Partitions"] = "2",
            ["Topics:Exchanges:coinbase:RawPartitions"] = "1",
            ["Topics:DeadLetterPartitions"] = "1",
            ["Producer:MaxInFlight"] = "100",
            ["Producer:QueueCapacity"] = "1024",
            ["Producer:ShutdownFlushSeconds"] = "2",
        };
        foreach (var (key, value) in overrides) { settings[key] = value; }
        return settings;
    }
}
