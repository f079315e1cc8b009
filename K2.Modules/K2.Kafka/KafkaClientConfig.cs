using Confluent.Kafka;

namespace K2.Kafka;

/// <summary>Client configurations from the options: bootstrap servers and SASL/TLS, shared by every client of the module.</summary>
internal static class KafkaClientConfig
{
    public static T Apply<T>(T config, KafkaOptions options, string bootstrapServers) where T : ClientConfig
    {
        config.BootstrapServers = bootstrapServers;
        config.ClientId = "k2";
        // Reconnect within a second of the brokers coming back rather than the default ten.
        config.ReconnectBackoffMaxMs = 1000;
        var security = options.Security;
        config.Set("security.protocol", KafkaClientSecurity.ProtocolName(security.Protocol));
        if (security.UsesSasl)
        {
            config.Set("sasl.mechanism", KafkaClientSecurity.MechanismName(security.SaslMechanism));
            config.SaslUsername = security.SaslUsername;
            config.SaslPassword = security.ResolvePassword();
        }

        if (security.SslCaLocation.Length > 0) { config.SslCaLocation = security.SslCaLocation; }
        return config;
    }

    /// <summary>
    /// Idempotent, acks=all, compressed, small linger. Messages never time out in the client: while the
    /// brokers are away they wait in order, and the publisher spools what comes after them.
    /// </summary>
    public static ProducerConfig Producer(KafkaOptions options, string bootstrapServers) => Apply(new ProducerConfig
    {
        EnableIdempotence = true,
        Acks = Acks.All,
        CompressionType = options.Producer.Compression == KafkaCompression.Zstd ? CompressionType.Zstd : CompressionType.Lz4,
        LingerMs = options.Producer.LingerMs,
        BatchSize = options.Producer.BatchBytes,
        MessageTimeoutMs = 0,
        QueueBufferingMaxMessages = options.Producer.MaxInFlight + 16_384,
        QueueBufferingMaxKbytes = 2_097_151,
    }, options, bootstrapServers);
}
