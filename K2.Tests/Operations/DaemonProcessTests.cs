using K2.Tests.Support;

namespace K2.Tests.Operations;

public sealed class DaemonProcessTests
{
    [Test]
    public async Task Run_with_embedded_defaults_serves_health_and_metrics_and_stops_on_ctrl_c()
    {
        var port = ExternalProcess.FreeTcpPort();
        var dataDir = TestPaths.NewScratchFolder("daemon-data");
        var environment = new Dictionary<string, string>
        {
            ["K2__Observability__Listen"] = $"127.0.0.1:{port}",
            ["K2__Modules__Query__Listen"] = $"127.0.0.1:{ExternalProcess.FreeTcpPort()}",
            ["K2__Storage__DataDir"] = dataDir,
        };
        using var daemon = K2Process.Start(["run"], environment);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

        await Eventually.Holds(async () =>
        {
            if (daemon.HasExited) { Assert.Fail($"k2 run exited {daemon.ExitCode}: {daemon.StandardError}{daemon.StandardOutput}"); }
            try { return (await http.GetAsync("/healthz")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, TimeSpan.FromSeconds(60), "/healthz answering 200");

        var metrics = await http.GetAsync("/metrics");
        metrics.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        (await metrics.Content.ReadAsStringAsync()).Should().Contain("# TYPE k2_instruments_configured gauge").And.Contain("k2_instruments_configured{exchange=\"kraken\"} 11");
        // Ready or not (the exchanges are unreachable here), /readyz names every enabled module's check.
        var ready = await http.GetAsync("/readyz");
        ((int)ready.StatusCode).Should().BeOneOf(200, 503);
        (await ready.Content.ReadAsStringAsync()).Should().Contain("\"clickhouse\"").And.Contain("\"kafka\"");
        new DirectoryInfo($"/proc/{daemon.Id}/cwd").LinkTarget.Should().Be(Path.GetFullPath(dataDir), "the host works in the data folder by default (Process:WorkingDirectory)");

        daemon.Interrupt();
        daemon.WaitForExit(TimeSpan.FromSeconds(5)).Should().BeTrue("Ctrl-C must stop the daemon within 5 s");
        daemon.ExitCode.Should().Be(0, daemon.StandardError);
        daemon.StandardOutput.Should().Contain("\"Message\":\"Application is shutting down...\"");
    }

    [Test]
    public void A_bad_value_stops_the_daemon_with_exit_code_2_naming_each_key()
    {
        var environment = new Dictionary<string, string>
        {
            ["K2__Modules__Kafka__Enabled"] = "maybe",
            ["K2__Modules__Kafka__EmbeddedBrokers"] = "99",
            ["K2__Modules__ClickHouse__Mode"] = "Cloud",
            ["K2__Observability__Listen"] = "everywhere",
        };

        using var daemon = K2Process.Run(["run"], environment);

        daemon.ExitCode.Should().Be(2);
        var lines = daemon.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().Contain(l => l.Contains("Modules:Kafka:Enabled (env K2__Modules__Kafka__Enabled): 'maybe' is not valid; allowed: true or false"));
        lines.Should().Contain(l => l.Contains("Modules:Kafka:EmbeddedBrokers") && l.Contains("between 1 and 5"));
        lines.Should().Contain(l => l.Contains("Modules:ClickHouse:Mode") && l.Contains("'Cloud'") && l.Contains("Embedded, Http"));
        lines.Should().Contain(l => l.Contains("Observability:Listen") && l.Contains("'everywhere'"));
        daemon.StandardOutput.Should().NotContain("Now listening", "nothing starts half-configured");
    }

    [Test]
    public void A_bad_process_setting_stops_the_daemon_with_exit_code_2_naming_the_key()
    {
        using var daemon = K2Process.Run(["run"], new Dictionary<string, string> { ["K2__Process__GlibcArenas"] = "-1" });

        daemon.ExitCode.Should().Be(2);
        daemon.StandardError.Should().Contain("Process:GlibcArenas (env K2__Process__GlibcArenas): must be between 0 (glibc's default) and 64 arenas");
        daemon.StandardOutput.Should().NotContain("Now listening", "nothing starts half-configured");
    }

    [Test]
    public void A_clustered_offload_scheduler_without_its_database_is_refused_naming_the_key()
    {
        var environment = new Dictionary<string, string>
        {
            ["K2__Modules__Offload__SchedulerStore"] = "Clustered",
            ["K2__Iceberg__PostgresConnectionStringVariable"] = "K2_TEST_UNSET_CATALOG",
        };

        using var daemon = K2Process.Run(["run"], environment);

        daemon.ExitCode.Should().Be(2);
        daemon.StandardError.Should().Contain("Modules:Offload:SchedulerStore (env K2__Modules__Offload__SchedulerStore): Clustered needs the PostgreSQL catalog database")
            .And.Contain("K2_TEST_UNSET_CATALOG");
    }

    [Test]
    public void An_unknown_key_is_refused_with_the_keys_that_are_allowed()
    {
        using var daemon = K2Process.Run(["run"], new Dictionary<string, string> { ["K2__Modules__Kafka__BootstrapServer"] = "x:9092" });

        daemon.ExitCode.Should().Be(2);
        daemon.StandardError.Should().Contain("Modules:Kafka:BootstrapServer (env K2__Modules__Kafka__BootstrapServer): unknown key; allowed keys here:").And.Contain("BootstrapServers");
    }

    [Test]
    public void An_invalid_instruments_file_stops_the_daemon_naming_file_and_line()
    {
        var home = TestPaths.NewScratchFolder("bad-home");
        File.Copy(Path.Combine(TestPaths.RepoRoot, "appsettings.json"), Path.Combine(home, "appsettings.json"));
        File.WriteAllText(Path.Combine(home, "instruments.yaml"), "exchanges:\n  binance:\n    symbols: [BTCUSDT]\n  bitfinex:\n    symbols: [BTCUSD]\n");

        using var daemon = K2Process.Run(["run"], new Dictionary<string, string> { ["K2_HOME"] = home });

        daemon.ExitCode.Should().Be(2);
        daemon.StandardError.Should().Contain($"{Path.Combine(home, "instruments.yaml")}:4: unknown exchange 'bitfinex'");
    }

    [Test]
    public void A_missing_clickhouse_library_names_the_command_that_fetches_it()
    {
        var environment = new Dictionary<string, string>
        {
            ["K2_CHDB_LIB"] = "/nonexistent/libchdb.so",
            ["K2__Observability__Listen"] = $"127.0.0.1:{ExternalProcess.FreeTcpPort()}",
            ["K2__Modules__Query__Listen"] = $"127.0.0.1:{ExternalProcess.FreeTcpPort()}",
            ["K2__Storage__DataDir"] = TestPaths.NewScratchFolder("daemon-data"),
        };

        using var daemon = K2Process.Run(["run"], environment);

        daemon.ExitCode.Should().Be(1);
        daemon.StandardError.Should().Contain("/nonexistent/libchdb.so").And.Contain("scripts/fetch-chdb.sh");
    }

    [Test]
    public void Instruments_prints_the_resolved_registry_with_canonical_symbols()
    {
        using var k2 = K2Process.Run(["instruments"]);

        k2.ExitCode.Should().Be(0, k2.StandardError);
        var rows = k2.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        rows[0].Should().StartWith("EXCHANGE");
        rows.Should().Contain(r => r.StartsWith("kraken ") && r.Contains(" XBT/USD ") && r.Contains(" BTC/USD "));
        rows.Should().Contain(r => r.StartsWith("kraken ") && r.Contains(" XDG/USD ") && r.Contains(" DOGE/USD "));
        rows.Should().Contain(r => r.StartsWith("binance ") && r.Contains(" BTCUSDT ") && r.Contains(" BTC/USDT "));
        rows.Count(r => r.StartsWith("binance ") || r.StartsWith("kraken ") || r.StartsWith("coinbase ")).Should().Be(34);
        rows[^1].Should().StartWith("34 instruments (binance 12, kraken 11, coinbase 11)");
    }

    [Test]
    public void Version_and_help_list_the_verbs()
    {
        using var version = K2Process.Run(["--version"]);
        version.StandardOutput.Trim().Should().StartWith("0.1.0");

        using var help = K2Process.Run(["--help"]);
        help.ExitCode.Should().Be(0);
        help.StandardOutput.Should().Contain("run").And.Contain("instruments");
    }
}
