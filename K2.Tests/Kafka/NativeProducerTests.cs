using K2.Kafka;
using K2.Kafka.Native;

namespace K2.Tests.Kafka;

[TestFixture]
public sealed class NativeProducerTests
{
    [TestCase(KafkaSecurityProtocol.SaslSsl, KafkaSaslMechanism.ScramSha512)]
    [TestCase(KafkaSecurityProtocol.SaslPlaintext, KafkaSaslMechanism.Plain)]
    [TestCase(KafkaSecurityProtocol.Ssl, KafkaSaslMechanism.ScramSha256)]
    public void The_producer_is_built_from_the_external_clusters_security_settings(KafkaSecurityProtocol protocol, KafkaSaslMechanism mechanism)
    {
        var options = new KafkaOptions { Mode = KafkaMode.External, BootstrapServers = "127.0.0.1:9" };
        options.Security.Protocol = protocol;
        options.Security.SaslMechanism = mechanism;
        options.Security.SaslUsername = "k2";
        options.Security.SaslPassword = "not-a-real-secret";
        var settings = KafkaClientConfig.Producer(options, options.BootstrapServers).ToDictionary(s => s.Key, s => s.Value);
        settings["security.protocol"].Should().Be(protocol switch
        {
            KafkaSecurityProtocol.SaslSsl => "sasl_ssl",
            KafkaSecurityProtocol.SaslPlaintext => "sasl_plaintext",
            _ => "ssl",
        });

        var create = () => new NativeProducer<object>(settings, _ => { }, _ => { }).Dispose();

        create.Should().NotThrow("librdkafka takes every setting the Confluent clients of the module take");
    }

    [Test]
    public void A_setting_librdkafka_does_not_know_fails_naming_the_key()
    {
        var create = () => new NativeProducer<object>([new("bootstrap.servers", "127.0.0.1:9"), new("no.such.setting", "1")], _ => { }, _ => { }).Dispose();

        create.Should().Throw<InvalidOperationException>().WithMessage("*'no.such.setting'*");
    }
}
