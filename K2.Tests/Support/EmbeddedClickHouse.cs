using K2.ClickHouse.Embedded;
using K2.ClickHouse.Schema;
using K2.Core.Native;
using K2.Kafka;

namespace K2.Tests.Support;

/// <summary>
/// The one embedded ClickHouse engine of the test process (chDB allows one storage path per
/// process), started with the daemon's default embedded server settings and Kafka named collection. Tests isolate
/// themselves by database: <see cref="NewDatabase"/>.
/// </summary>
public static class EmbeddedClickHouse
{
    /// <summary>A second Kafka named collection, with SASL settings, for the tests that follow them into the engine.</summary>
    public const string SaslCollection = "k2_kafka_secured";

    /// <summary>The environment variable the SASL collection's password comes from; set before the engine starts.</summary>
    public const string SaslPasswordVariable = "K2_TEST_ENGINE_SASL_PASSWORD";

    public static readonly string SaslPassword = $"engine-sasl-{Guid.NewGuid():N}";

    private static readonly Lazy<ChDbEngine> Shared = new(Open, LazyThreadSafetyMode.ExecutionAndPublication);

    public static ChDbEngine Engine => Shared.Value;

    /// <summary>The Kafka module's options behind <see cref="SaslCollection"/>.</summary>
    public static KafkaOptions SaslKafkaOptions()
    {
        var options = new KafkaOptions();
        options.Security.Protocol = KafkaSecurityProtocol.SaslPlaintext;
        options.Security.SaslMechanism = KafkaSaslMechanism.Plain;
        options.Security.SaslUsername = "k2-engine";
        options.Security.SaslPasswordEnvironmentVariable = SaslPasswordVariable;
        return options;
    }

    /// <summary>Creates a database with a unique name and returns the name.</summary>
    public static string NewDatabase(string prefix = "t")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 17, prefix.Length + 33)];
        Engine.Execute($"CREATE DATABASE {name}");
        return name;
    }

    private static ChDbEngine Open()
    {
        // The engine reads the variable from the process's native environment, which Environment.SetEnvironmentVariable does not change.
        Environment.SetEnvironmentVariable(SaslPasswordVariable, SaslPassword);
        NativeEnvironment.Set(SaslPasswordVariable, SaslPassword, overwrite: true);
        return ChDbEngine.Open(
            Path.Combine(TestPaths.ScratchRoot, "chdb"),
            serverSettings: new K2.ClickHouse.EmbeddedClickHouseOptions().ServerSettings(),
            namedCollections:
            [
                KafkaNamedCollection.Define(KafkaNamedCollection.DefaultName, new KafkaConnection(new KafkaOptions(), bootstrapServers: null).Security),
                KafkaNamedCollection.Define(SaslCollection, new KafkaConnection(SaslKafkaOptions(), bootstrapServers: null).Security),
            ]);
    }
}
