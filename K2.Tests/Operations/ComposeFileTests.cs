using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using K2.Instruments;
using K2.Tests.Support;
using Npgsql;
using YamlDotNet.RepresentationModel;

namespace K2.Tests.Operations;

/// <summary>docker-compose.yml as data: its services, their settings and the files it mounts.</summary>
internal sealed class ComposeFile
{
    private readonly YamlMappingNode _services;

    private ComposeFile(string path)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(path)));
        _services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    }

    public static ComposeFile Production { get; } = new(Path.Combine(TestPaths.RepoRoot, "docker-compose.yml"));

    public static ComposeFile Development { get; } = new(Path.Combine(TestPaths.RepoRoot, "docker-compose.dev.yml"));

    public IEnumerable<string> ServiceNames => _services.Children.Keys.Select(k => k.ToString());

    public YamlMappingNode Service(string name) => (YamlMappingNode)_services[name];

    public string? Scalar(string service, string key) =>
        Service(service).Children.TryGetValue(key, out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    public IReadOnlyList<string> List(string service, string key) =>
        Service(service).Children.TryGetValue(key, out var value) && value is YamlSequenceNode sequence
            ? [.. sequence.Children.Select(c => c.ToString())]
            : [];

    public IReadOnlyDictionary<string, string> Environment(string service) =>
        Service(service).Children.TryGetValue("environment", out var value) && value is YamlMappingNode map
            ? map.Children.ToDictionary(e => e.Key.ToString(), e => e.Value.ToString())
            : new Dictionary<string, string>();

    /// <summary>The service's bind mounts: host path (relative to the repository, resolved) → container path.</summary>
    public IReadOnlyList<(string Host, string Container)> BindMounts(string service) =>
        [.. List(service, "volumes")
            .Select(v => v.Split(':'))
            .Where(parts => parts[0].StartsWith("./", StringComparison.Ordinal))
            .Select(parts => (Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, parts[0])), parts[1]))];

    /// <summary>Where <paramref name="containerPath"/> of <paramref name="service"/> comes from on the host, through its bind mounts.</summary>
    public string? HostPath(string service, string containerPath) =>
        BindMounts(service)
            .Where(m => containerPath == m.Container || containerPath.StartsWith(m.Container + "/", StringComparison.Ordinal))
            .Select(m => m.Host + containerPath[m.Container.Length..])
            .FirstOrDefault();
}

/// <summary>The production compose file, point by point (docs/deploy.md).</summary>
public sealed partial class ComposeFileTests
{
    private static ComposeFile Compose => ComposeFile.Production;

    [Test]
    public void ClickHouse_starts_a_new_consumer_group_at_the_beginning_of_its_topic()
    {
        var kafkaXml = Compose.HostPath("clickhouse", "/etc/clickhouse-server/config.d/kafka.xml");

        kafkaXml.Should().NotBeNull("deploy/clickhouse/kafka.xml is mounted into the server's config.d");
        File.Exists(kafkaXml).Should().BeTrue();
        XDocument.Load(kafkaXml!).Root!.Element("kafka")!.Element("auto_offset_reset")!.Value.Should().Be("earliest");
        Compose.List("clickhouse", "volumes").Should().Contain(v => v.EndsWith("/kafka.xml:ro", StringComparison.Ordinal), "mounted read-only");
    }

    [Test]
    public void ClickHouse_defines_the_named_collection_the_queue_tables_use()
    {
        var kafkaXml = Compose.HostPath("clickhouse", "/etc/clickhouse-server/config.d/kafka.xml");
        var compose = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docker-compose.yml"));
        var collection = Regex.Match(compose, @"K2__Modules__ClickHouse__Kafka__NamedCollection:\s*(\S+)") is { Success: true } configured
            ? configured.Groups[1].Value
            : new K2.ClickHouse.ClickHouseOptions().Kafka.NamedCollection;

        var defined = XDocument.Load(kafkaXml!).Root!.Element("named_collections")?.Element(collection);

        defined.Should().NotBeNull($"the daemon's DDL says ENGINE = Kafka({collection}); a server without it refuses the queue tables");
        defined!.Element("kafka_security_protocol")!.Value.Should().Be("plaintext", "the compose Redpanda listens without SASL/TLS");
    }

    [Test]
    public void ClickHouse_defines_the_store_credentials_collection_the_daemon_names_for_cold_reads()
    {
        var compose = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docker-compose.yml"));
        var collection = Regex.Match(compose, @"K2__Iceberg__S3__ServerCredentialsCollection:\s*(\S+)");
        collection.Success.Should().BeTrue("the query API refuses to start over a ClickHouse server with an S3 warehouse and no collection");
        var s3Xml = Compose.HostPath("clickhouse", "/etc/clickhouse-server/config.d/s3.xml");
        s3Xml.Should().NotBeNull("deploy/clickhouse/s3.xml is mounted into the server's config.d");

        var defined = XDocument.Load(s3Xml!).Root!.Element("named_collections")?.Element(collection.Groups[1].Value);

        defined.Should().NotBeNull();
        defined!.Element("access_key_id")!.Attribute("from_env")!.Value.Should().Be("K2_S3_ACCESS_KEY", "the key comes from the server's environment, never a file");
        defined.Element("secret_access_key")!.Attribute("from_env")!.Value.Should().Be("K2_S3_SECRET_KEY");
        Compose.List("clickhouse", "volumes").Should().Contain(v => v.EndsWith("/s3.xml:ro", StringComparison.Ordinal));
    }

    [Test]
    public void Docker_gives_the_daemon_longer_than_its_30_s_graceful_shutdown()
    {
        var grace = Compose.Scalar("k2", "stop_grace_period");

        grace.Should().NotBeNull("Docker kills after 10 s by default");
        Duration(grace!).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(40), "the host allows 30 s, plus time to exit");
    }

    [Test]
    public void Redpanda_runs_in_production_mode_and_only_the_development_override_uses_dev_container()
    {
        var production = Compose.List("redpanda", "command");
        var development = ComposeFile.Development.List("redpanda", "command");

        production.Should().Contain("start").And.NotContain(a => a.Contains("dev-container", StringComparison.Ordinal) || a.Contains("developer_mode", StringComparison.Ordinal));
        development.Should().Contain("--mode=dev-container");
        ComposeFile.Development.ServiceNames.Should().Equal(["redpanda"], "the override changes the broker's mode and nothing else");
    }

    [Test]
    public void Instruments_are_mounted_as_a_folder_so_a_replaced_file_reaches_the_daemon()
    {
        var path = Compose.Environment("k2")["K2__Instruments__Path"];
        var folder = path[..path.LastIndexOf('/')];

        var mount = Compose.BindMounts("k2").Single(m => m.Container == folder);

        Directory.Exists(mount.Host).Should().BeTrue($"{mount.Host} is a folder, so a rename over its file is seen inside the container");
        var instruments = InstrumentsFileParser.ParseFile(Compose.HostPath("k2", path)!);
        instruments.All.Should().NotBeEmpty();
    }

    [Test]
    public void ClickHouse_gives_K2_a_user_without_access_management()
    {
        var clickhouse = Compose.Environment("clickhouse");

        clickhouse["CLICKHOUSE_USER"].Should().Be(Compose.Environment("k2")["K2__Modules__ClickHouse__Http__Username"]).And.NotBe("default");
        clickhouse["CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT"].Should().Be("0");
        clickhouse["CLICKHOUSE_PASSWORD"].Should().Contain("${K2_CLICKHOUSE_PASSWORD");
    }

    [Test]
    public void MinIO_gives_K2_a_user_limited_to_its_bucket_and_keeps_root_to_itself()
    {
        var minio = Compose.Environment("minio");
        var k2 = Compose.Environment("k2");
        var init = string.Join(" ", Compose.List("minio-init", "command"));

        minio["MINIO_ROOT_USER"].Should().Contain("${MINIO_ROOT_USER").And.NotContain("K2_S3");
        minio["MINIO_ROOT_PASSWORD"].Should().Contain("${MINIO_ROOT_PASSWORD").And.NotContain("K2_S3");
        k2["AWS_ACCESS_KEY_ID"].Should().Contain("${K2_S3_ACCESS_KEY");
        k2.Values.Should().NotContain(v => v.Contains("MINIO_ROOT", StringComparison.Ordinal), "the daemon never sees the root credentials");
        init.Should().Contain("mc admin user add k2 \"$$K2_S3_ACCESS_KEY\" \"$$K2_S3_SECRET_KEY\"")
            .And.Contain("mc admin policy attach k2 k2-warehouse --user \"$$K2_S3_ACCESS_KEY\"")
            .And.Contain("mc admin policy create k2 k2-warehouse /etc/k2-minio/k2-warehouse-policy.json");

        var policy = JsonDocument.Parse(File.ReadAllText(Compose.HostPath("minio-init", "/etc/k2-minio/k2-warehouse-policy.json")!));
        var statements = policy.RootElement.GetProperty("Statement").EnumerateArray().ToList();
        statements.Should().NotBeEmpty().And.OnlyContain(s => s.GetProperty("Effect").GetString() == "Allow");
        statements.SelectMany(s => s.GetProperty("Resource").EnumerateArray()).Select(r => r.GetString())
            .Should().OnlyContain(r => r == "arn:aws:s3:::k2-warehouse" || r == "arn:aws:s3:::k2-warehouse/*");
        statements.SelectMany(s => s.GetProperty("Action").EnumerateArray()).Select(a => a.GetString())
            .Should().OnlyContain(a => a!.StartsWith("s3:", StringComparison.Ordinal) && !a.Contains('*', StringComparison.Ordinal));
    }

    [Test]
    public void PostgreSQL_keeps_its_superuser_and_K2_connects_as_its_own_role()
    {
        var postgres = Compose.Environment("postgres");

        postgres["POSTGRES_USER"].Should().NotBe("k2");
        postgres["POSTGRES_PASSWORD"].Should().Contain("${POSTGRES_ADMIN_PASSWORD");
        Compose.HostPath("postgres", "/docker-entrypoint-initdb.d").Should().Be(Path.Combine(TestPaths.RepoRoot, "deploy", "postgres", "initdb"));
        Compose.Environment("k2")["K2_ICEBERG_CATALOG_POSTGRES"].Should().Contain("Username=k2;").And.Contain("Database=k2");
    }

    [Test]
    public void The_postgres_init_script_creates_a_role_that_owns_its_database_and_nothing_more()
    {
        var admin = new NpgsqlConnectionStringBuilder(PostgresServer.AdminConnectionString);
        var name = $"k2_{Guid.NewGuid():N}"[..20];
        var script = Path.Combine(Compose.HostPath("postgres", "/docker-entrypoint-initdb.d")!, "10-k2-role.sh");
        var info = new System.Diagnostics.ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.Environment["POSTGRES_USER"] = admin.Username;
        info.Environment["PGHOST"] = admin.Host;
        info.Environment["PGPORT"] = admin.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["K2_POSTGRES_PASSWORD"] = "it's \"quoted\"; DROP ROLE postgres;";
        info.Environment["K2_POSTGRES_USER"] = name;
        info.Environment["K2_POSTGRES_DB"] = name;
        using (var process = System.Diagnostics.Process.Start(info)!)
        {
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            process.ExitCode.Should().Be(0, output);
        }

        using var asRole = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Username = name, Database = name }.ConnectionString);
        asRole.Open();
        Scalar(asRole, "SELECT rolsuper::text || rolcreaterole::text || rolcreatedb::text || rolreplication::text FROM pg_roles WHERE rolname = current_user").Should().Be("falsefalsefalsefalse");
        Scalar(asRole, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()").Should().Be(name);
        Execute(asRole, "CREATE TABLE catalog_check (id int)");
        var createDatabase = () => Execute(asRole, $"CREATE DATABASE {name}_other");
        createDatabase.Should().Throw<PostgresException>().Which.SqlState.Should().Be(PostgresErrorCodes.InsufficientPrivilege);
        using var asAdmin = new NpgsqlConnection(admin.ConnectionString);
        asAdmin.Open();
        Scalar(asAdmin, $"SELECT left(rolpassword, 14) FROM pg_authid WHERE rolname = '{name}'").Should().Be("SCRAM-SHA-256$", "the password was set, quotes and all");
        Scalar(asAdmin, "SELECT count(*)::text FROM pg_roles WHERE rolname = 'postgres'").Should().Be("1");
    }

    [Test]
    public void Prometheus_sends_alerts_to_the_alertmanager_service()
    {
        var prometheusYml = Compose.HostPath("prometheus", "/etc/prometheus/prometheus.yml")!;
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(prometheusYml)));
        var targets = ((YamlMappingNode)yaml.Documents[0].RootNode)["alerting"]["alertmanagers"].AllNodes.OfType<YamlScalarNode>().Select(n => n.Value);
        var configFlag = Compose.List("alertmanager", "command").Single(a => a.StartsWith("--config.file=", StringComparison.Ordinal));
        var alertmanagerYml = Compose.HostPath("alertmanager", configFlag["--config.file=".Length..]);

        targets.Should().Contain("alertmanager:9093");
        Compose.ServiceNames.Should().Contain("alertmanager");
        File.Exists(alertmanagerYml).Should().BeTrue();
        ExternalProcess.Run("promtool", "check", "config", prometheusYml).Should().Contain("SUCCESS");
        ExternalProcess.Run("amtool", "check-config", alertmanagerYml!).Should().Contain("SUCCESS");
    }

    [Test]
    public void Every_image_is_pinned_to_an_exact_release()
    {
        var images = Compose.ServiceNames.Select(s => (Service: s, Image: Compose.Scalar(s, "image"))).ToList();
        var dockerfile = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "Dockerfile"))
            .Where(l => l.StartsWith("FROM ", StringComparison.Ordinal))
            .Select(l => (Service: "Dockerfile", Image: (string?)l.Split(' ')[1]));

        images.Where(i => i.Image is null).Select(i => i.Service).Should().Equal(["k2"], "only the daemon is built, from the Dockerfile");
        foreach (var (service, image) in images.Concat(dockerfile).Where(i => i.Image is not null).Select(i => (i.Service, Image: i.Image!)))
        {
            var tag = image[(image.LastIndexOf(':') + 1)..];
            // PostgreSQL numbers its releases major.minor (15.17); everything else here major.minor.patch or a dated release.
            var exact = image.StartsWith("postgres:", StringComparison.Ordinal) ? PostgresRelease() : ExactRelease();
            exact.IsMatch(tag).Should().BeTrue($"{service}: {image} names an exact release, not a moving tag");
        }
    }

    [GeneratedRegex(@"^v?\d+\.\d+\.\d+(\.\d+)?(-[a-z0-9]+)?$|^RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$")]
    private static partial Regex ExactRelease();

    [GeneratedRegex(@"^\d+\.\d+(-[a-z]+)?$")]
    private static partial Regex PostgresRelease();

    private static TimeSpan Duration(string text)
    {
        var total = TimeSpan.Zero;
        foreach (Match part in DurationPart().Matches(text))
        {
            var value = int.Parse(part.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch { "h" => TimeSpan.FromHours(value), "m" => TimeSpan.FromMinutes(value), _ => TimeSpan.FromSeconds(value) };
        }

        return total;
    }

    [GeneratedRegex(@"(\d+)(h|m|s)")]
    private static partial Regex DurationPart();

    private static string? Scalar(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar()?.ToString();
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
