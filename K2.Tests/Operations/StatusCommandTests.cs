using K2.Tests.Support;

namespace K2.Tests.Operations;

public sealed class StatusCommandTests
{
    [Test]
    public void Without_a_daemon_status_exits_non_zero_with_a_clear_message()
    {
        var port = ExternalProcess.FreeTcpPort();

        using var k2 = K2Process.Run(["status", "--url", $"http://127.0.0.1:{port}"]);

        k2.ExitCode.Should().Be(1);
        k2.StandardError.Should().Contain($"no K2 daemon answers at http://127.0.0.1:{port}").And.Contain("./k2 run");
    }

    [Test]
    public async Task Against_a_running_daemon_status_prints_every_section()
    {
        var port = ExternalProcess.FreeTcpPort();
        var environment = new Dictionary<string, string>
        {
            ["K2__Observability__Listen"] = $"127.0.0.1:{port}",
            ["K2__Modules__Query__Listen"] = $"127.0.0.1:{ExternalProcess.FreeTcpPort()}",
            ["K2__Storage__DataDir"] = TestPaths.NewScratchFolder("status-data"),
        };
        using var daemon = K2Process.Start(["run"], environment);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Eventually.Holds(async () =>
        {
            if (daemon.HasExited) { Assert.Fail(daemon.StandardError); }
            try { return (await http.GetAsync("/healthz")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, TimeSpan.FromSeconds(60), "daemon up");

        using var k2 = K2Process.Run(["status"], environment);

        k2.ExitCode.Should().Be(0, k2.StandardError);
        k2.StandardOutput.Should().StartWith($"K2 daemon at http://127.0.0.1:{port}");
        k2.StandardOutput.Should().Contain("== Daemon ==").And.Contain($"{daemon.Id}");
        k2.StandardOutput.Should().MatchRegex(@"modules on\s+modules off");
        foreach (var section in new[] { "== Exchanges", "== Kafka ==", "== Hot tier (ClickHouse", "== Offload ==", "== Maintenance ==" })
        {
            k2.StandardOutput.Should().Contain(section);
        }
        daemon.Interrupt();
        daemon.WaitForExit(TimeSpan.FromSeconds(10)).Should().BeTrue();
    }
}
