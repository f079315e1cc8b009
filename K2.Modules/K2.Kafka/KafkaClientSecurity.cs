namespace K2.Kafka;

/// <summary>
/// The cluster's SASL/TLS settings under librdkafka's names and values (<c>security.protocol</c>, <c>sasl.mechanism</c>,
/// <c>sasl.username</c>, <c>ssl.ca.location</c>), for Kafka clients that are configured outside .NET, such as
/// ClickHouse's Kafka engine. The password is not here, only the environment variable that holds it.
/// </summary>
/// <param name="Protocol"><c>plaintext</c>, <c>ssl</c>, <c>sasl_plaintext</c> or <c>sasl_ssl</c>.</param>
/// <param name="SaslMechanism"><c>PLAIN</c>, <c>SCRAM-SHA-256</c> or <c>SCRAM-SHA-512</c>; null without SASL.</param>
/// <param name="SaslUsername">The SASL user; null without SASL.</param>
/// <param name="SaslPasswordVariable">
/// The environment variable holding the SASL password; null without SASL, or when the password was not given through
/// the environment (which the module's documentation rules out).
/// </param>
/// <param name="SslCaLocation">PEM file of the CA that signed the brokers' certificates; null when not set.</param>
public sealed record KafkaClientSecurity(string Protocol, string? SaslMechanism, string? SaslUsername, string? SaslPasswordVariable, string? SslCaLocation)
{
    public bool UsesSasl => SaslMechanism is not null;

    internal static KafkaClientSecurity From(KafkaSecurityOptions options) => new(
        ProtocolName(options.Protocol),
        options.UsesSasl ? MechanismName(options.SaslMechanism) : null,
        options.UsesSasl ? options.SaslUsername : null,
        options.PasswordEnvironmentVariable(),
        options.SslCaLocation.Length > 0 ? options.SslCaLocation : null);

    /// <summary>librdkafka's <c>security.protocol</c> value.</summary>
    internal static string ProtocolName(KafkaSecurityProtocol protocol) => protocol switch
    {
        KafkaSecurityProtocol.Ssl => "ssl",
        KafkaSecurityProtocol.SaslPlaintext => "sasl_plaintext",
        KafkaSecurityProtocol.SaslSsl => "sasl_ssl",
        _ => "plaintext",
    };

    /// <summary>librdkafka's <c>sasl.mechanism</c> value.</summary>
    internal static string MechanismName(KafkaSaslMechanism mechanism) => mechanism switch
    {
        KafkaSaslMechanism.Plain => "PLAIN",
        KafkaSaslMechanism.ScramSha256 => "SCRAM-SHA-256",
        _ => "SCRAM-SHA-512",
    };
}
