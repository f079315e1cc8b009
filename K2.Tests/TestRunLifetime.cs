using K2.Tests.Support;

namespace K2.Tests;

/// <summary>Stops the servers the fixtures started, once, when the whole test run ends.</summary>
[SetUpFixture]
public sealed class TestRunLifetime
{
    [OneTimeTearDown]
    public void StopServers()
    {
        PostgresServer.StopIfStarted();
        S3rverServer.StopIfStarted();
        EmbeddedKafka.StopIfStarted();
        try
        {
            Directory.Delete(TestPaths.ScratchRoot, recursive: true);
        }
        catch (IOException)
        {
            // The embedded ClickHouse engine may still hold files open until the process exits.
        }
    }
}
