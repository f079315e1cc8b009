using K2.Tests.Support;

namespace K2.Tests.Operations;

public sealed class SecretHandlingTests
{
    [Test]
    public async Task Configured_secrets_never_appear_in_any_log_output_even_when_connections_fail()
    {
        var closed = ExternalProcess.FreeTcpPort();
        var secrets = new Dictionary<string, string>
        {
            ["K2_TEST_SASL_PASSWORD"] = $"sasl-{Guid.NewGuid():N}",
            ["K2_CLICKHOUSE_PASSWORD"] = $"ch-{Guid.NewGuid():N}",
            ["AWS_SECRET_ACCESS_KEY"] = $"s3-{Guid.NewGuid():N}",
        };
        var postgresPassword = $"pg-{Guid.NewGuid():N}";
        var environment = new Dictionary<string, string>(secrets)
        {
            ["K2__Logging__LogLevel__Default"] = "Trace",
            ["K2__Observability__Listen"] = $"127.0.0.1:{ExternalProcess.FreeTcpPort()}",
            ["K2__Modules__Query__Listen"] = $"127.0.0.1:{ExternalProcess.FreeTcpPort()}",
            ["K2__Storage__DataDir"] = TestPaths.NewScratchFolder("secrets-data"),
            ["K2__Modules__Exchanges__Enabled"] = "false",
            ["K2__Modules__Kafka__Mode"] = "External",
            ["K2__Modules__Kafka__BootstrapServers"] = $"127.0.0.1:{closed}",
            ["K2__Modules__Kafka__Security__Protocol"] = "SaslPlaintext",
            ["K2__Modules__Kafka__Security__SaslMechanism"] = "Plain",
            ["K2__Modules__Kafka__Security__SaslUsername"] = "k2",
            ["K2__Modules__Kafka__Security__SaslPasswordEnvironmentVariable"] = "K2_TEST_SASL_PASSWORD",
            ["K2__Modules__ClickHouse__Mode"] = "Http",
            ["K2__Modules__ClickHouse__Http__Url"] = $"http://127.0.0.1:{closed}",
            ["K2__Modules__ClickHouse__Http__Username"] = "k2",
            ["K2__Iceberg__Catalog"] = "Postgres",
            ["K2_ICEBERG_CATALOG_POSTGRES"] = $"Host=127.0.0.1;Port={closed};Username=k2;Password={postgresPassword};Timeout=2",
            ["K2__Iceberg__Warehouse"] = "s3://k2-warehouse/cold",
            ["K2__Iceberg__S3__Endpoint"] = $"http://127.0.0.1:{closed}",
            ["K2__Iceberg__S3__ServerCredentialsCollection"] = "k2_s3",
            ["AWS_ACCESS_KEY_ID"] = "k2-access",
        };

        using var daemon = K2Process.Start(["run"], environment);
        await Eventually.Holds(() => daemon.HasExited || daemon.StandardOutput.Length + daemon.StandardError.Length > 20_000, TimeSpan.FromSeconds(45), "log output");
        if (!daemon.HasExited)
        {
            // Let the failing connections retry and log a while before stopping.
            await Task.Delay(TimeSpan.FromSeconds(5));
            daemon.Interrupt();
            daemon.WaitForExit(TimeSpan.FromSeconds(30));
        }

        var output = daemon.StandardOutput + daemon.StandardError;
        output.Should().Contain($"127.0.0.1:{closed}", "the failing connections were logged, so the scan covers error paths");
        foreach (var secret in secrets.Values.Append(postgresPassword))
        {
            output.Should().NotContain(secret);
        }
    }
}

public sealed class SecurityDefaultsTests
{
    [Test]
    public void Endpoints_listen_on_loopback_unless_configured_otherwise()
    {
        new K2.Observability.ObservabilityOptions().Listen.Should().StartWith("127.0.0.1:");
        var settings = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "appsettings.json"));
        settings.Should().Contain("\"Listen\": \"127.0.0.1:9464\"");

        var published = File.ReadLines(Path.Combine(TestPaths.RepoRoot, "docker-compose.yml"))
            .Select(l => l.Trim())
            .Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, "^- \"[0-9.:]+:[0-9]+\"$"));
        published.Should().NotBeEmpty().And.OnlyContain(l => l.StartsWith("- \"127.0.0.1:", StringComparison.Ordinal));
    }

    [Test]
    public void No_code_disables_tls_certificate_checks()
    {
        string[] forbidden =
        [
            "ServerCertificateCustomValidationCallback", "RemoteCertificateValidationCallback", "DangerousAcceptAnyServerCertificateValidator",
            "enable.ssl.certificate.verification", "EnableSslCertificateVerification", "TrustServerCertificate", "SslMode.Disable",
        ];
        var sources = Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "K2.Modules"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "K2.Daemon"), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

        foreach (var file in sources)
        {
            var text = File.ReadAllText(file);
            forbidden.Where(f => text.Contains(f, StringComparison.Ordinal)).Should().BeEmpty(file);
        }
    }
}
