using System.Xml.Linq;
using K2.Kafka;

namespace K2.ClickHouse.Schema;

/// <summary>
/// The named collection the Kafka-engine queue tables take in their engine clause (<c>ENGINE = Kafka(k2_kafka)</c>):
/// the cluster's SASL/TLS settings, so that none of them, the password least of all, is part of the DDL. The embedded
/// engine gets it in its configuration file, the password read from the environment there (<c>from_env</c>); a
/// ClickHouse server defines it in its own configuration (docs/clickhouse.md, Kafka security).
/// </summary>
public static class KafkaNamedCollection
{
    public const string DefaultName = "k2_kafka";

    /// <summary>The collection <paramref name="name"/> with the Kafka module's security settings, as a server configuration element.</summary>
    /// <exception cref="InvalidOperationException">SASL is configured but its password did not come from the environment.</exception>
    public static XElement Define(string name, KafkaClientSecurity security)
    {
        var collection = new XElement(SqlIdentifier.Checked(name, "Modules:ClickHouse:Kafka:NamedCollection"), new XElement("kafka_security_protocol", security.Protocol));
        if (security.UsesSasl)
        {
            var variable = security.SaslPasswordVariable ?? throw new InvalidOperationException(
                "Modules:Kafka:Security: the embedded ClickHouse engine reads the SASL password from the environment only; set K2__Modules__Kafka__Security__SaslPassword, or name the variable that holds it in SaslPasswordEnvironmentVariable");
            collection.Add(
                new XElement("kafka_sasl_mechanism", security.SaslMechanism),
                new XElement("kafka_sasl_username", security.SaslUsername),
                new XElement("kafka_sasl_password", new XAttribute("from_env", variable)));
        }

        // Keys under <kafka> are librdkafka settings, '_' standing for '.'.
        if (security.SslCaLocation is { } caLocation) { collection.Add(new XElement("kafka", new XElement("ssl_ca_location", caLocation))); }
        return collection;
    }
}
