using System.Globalization;
using System.Text.RegularExpressions;
using K2.ClickHouse;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Health;
using K2.ClickHouse.Schema;
using K2.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using K2.Kafka;

namespace K2.Tests.ClickHouse;

/// <summary>
/// The start-up check of what the ClickHouse server offers, run against the embedded engine (chDB 26.7) and against
/// catalogues of older releases rebuilt from the engine's own records: <c>system.functions.introduced_in</c> and the
/// first version <c>system.settings_changes</c> lists a setting in.
/// </summary>
public sealed partial class ServerCapabilitiesTests
{
    private static IClickHouseGateway Gateway => HotTier.Gateway;

    [Test]
    public async Task The_embedded_engine_has_every_feature_the_daemon_registers()
    {
        var features = DaemonFeatures();

        var missing = await ServerCapabilities.MissingAsync(Gateway, features);

        features.Select(f => f.Name).Should().Contain(["icebergBucket", "output_format_parquet_write_bloom_filter", "output_format_parquet_max_dictionary_size", "icebergS3", "icebergLocal"]);
        missing.Should().BeEmpty();
        ServerCapabilities.Minimum(features).Should().Be(new Version(25, 8));
    }

    [TestCase(25, 3, new[] { "icebergBucket", "output_format_parquet_max_dictionary_size" })]
    [TestCase(24, 8, new[] { "icebergBucket", "output_format_parquet_max_dictionary_size", "output_format_parquet_write_bloom_filter", "icebergS3", "icebergLocal", "max_bytes_ratio_before_external_sort" })]
    public async Task An_older_server_is_refused_in_one_line_naming_what_it_lacks_and_the_minimum_version(int major, int minor, string[] lacking)
    {
        var catalogue = await OlderCatalogueAsync(major, minor);
        var features = DaemonFeatures();
        try
        {
            var act = () => ServerCapabilities.EnsureAsync(Gateway, $"{major}.{minor}.1.1", features, catalogue);

            var message = (await act.Should().ThrowAsync<UnsupportedServerVersionException>()).Which.Message;
            message.Should().NotContain("\n").And.StartWith($"ClickHouse {major}.{minor}.1.1 lacks ").And.Contain("K2 needs ClickHouse 25.8 or newer");
            foreach (var name in lacking) { message.Should().Contain(name); }
            foreach (var present in features.Select(f => f.Name).Except(lacking)) { message.Should().NotContain(present); }
            message.Should().Contain("icebergBucket (function, ClickHouse 25.5+, offload: Iceberg bucket partitions)");
        }
        finally
        {
            await Gateway.ExecuteAsync($"DROP DATABASE IF EXISTS {catalogue}");
        }
    }

    [Test]
    public async Task The_daemon_start_refuses_a_server_without_a_registered_feature_before_creating_anything()
    {
        var options = HotTier.NewOptions();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Modules:Kafka:Enabled"] = "false",
            [$"{ClickHouseOptions.SectionName}:Embedded:DataPath"] = EmbeddedClickHouse.Engine.DataPath,
            [$"{ClickHouseOptions.SectionName}:Database"] = options.Database,
            [$"{ClickHouseOptions.SectionName}:Kafka:Brokers"] = EmbeddedKafka.BootstrapServers,
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System);
        services.AddKafka(configuration);
        services.AddClickHouse(configuration);
        services.AddSingleton(ServerFeature.Function("k2FunctionOfTheFuture", new Version(99, 1), "a module from the future"));
        var provider = services.BuildServiceProvider();
        var starter = provider.GetServices<IHostedService>().OfType<HotTierStarter>().Single();

        var act = () => starter.StartAsync(CancellationToken.None);

        (await act.Should().ThrowAsync<UnsupportedServerVersionException>()).Which.Message.Should()
            .Contain("k2FunctionOfTheFuture (function, ClickHouse 99.1+, a module from the future)").And.Contain("K2 needs ClickHouse 99.1 or newer");
        (await Gateway.QueryScalarAsync($"SELECT count() FROM system.databases WHERE name = '{options.Database}'")).Should().Be("0");
        provider.GetServices<K2.Core.Health.IReadinessCheck>().Single(c => c.Name == "clickhouse").Check().Detail.Should().Contain("k2FunctionOfTheFuture");
    }

    [Test]
    public async Task Every_function_and_setting_newer_than_the_hot_tier_floor_in_the_modules_sql_is_registered_with_its_release()
    {
        // Two modules may need the same feature, each registering it with its own use.
        var registered = DaemonFeatures().DistinctBy(f => (f.Kind, f.Name)).ToDictionary(f => (f.Kind, f.Name));
        var used = SqlLiteralsOfTheModules();
        var problems = new List<string>();

        var functionRows = await Gateway.QueryRowsAsync("SELECT name, introduced_in, case_insensitive, alias_to FROM system.functions");
        var introduced = functionRows.ToDictionary(r => r[0], r => r[1]);
        foreach (var row in functionRows)
        {
            var since = ReleaseOf(row[1].Length == 0 && introduced.TryGetValue(row[3], out var target) ? target : row[1]);
            if (since > ServerVersion.Minimum && Calls(used, row[0], caseInsensitive: row[2] == "1")) { Check(ServerFeatureKind.Function, row[0], since); }
        }

        var firstListed = (await Gateway.QueryRowsAsync("SELECT c.1, version FROM system.settings_changes ARRAY JOIN changes AS c"))
            .GroupBy(r => r[0], r => ReleaseOf(r[1]))
            .ToDictionary(g => g.Key, g => g.Min()!);
        var settingNames = await Gateway.QueryRowsAsync("SELECT name FROM system.settings UNION ALL SELECT name FROM system.merge_tree_settings");
        foreach (var name in settingNames.Select(r => r[0]).Where(n => Regex.IsMatch(used, $@"\b{n}\b") && !OlderThanTheirFirstListing.Contains(n)))
        {
            if (firstListed.TryGetValue(name, out var since) && since > ServerVersion.Minimum) { Check(ServerFeatureKind.Setting, name, since); }
        }

        foreach (var tableFunction in (await Gateway.QueryRowsAsync("SELECT name FROM system.table_functions")).Select(r => r[0]).Where(name => CallsTableFunction(used, name)))
        {
            if (!registered.ContainsKey((ServerFeatureKind.TableFunction, tableFunction))) { problems.Add($"table function {tableFunction} is used but not registered"); }
        }

        string.Join("; ", problems).Should().BeEmpty();

        void Check(ServerFeatureKind kind, string name, Version since)
        {
            if (!registered.TryGetValue((kind, name), out var feature)) { problems.Add($"{kind} {name} (ClickHouse {since}) is used but not registered"); }
            else if (feature.Since != since) { problems.Add($"{kind} {name} is registered as {feature.Since}+ but came with ClickHouse {since}"); }
        }
    }

    /// <summary>The features of a daemon with every module on, as its host registers them.</summary>
    private static IReadOnlyCollection<ServerFeature> DaemonFeatures()
    {
        var host = K2.Daemon.DaemonHost.Create(new Dictionary<string, string?>(), out var problems);
        string.Join("; ", problems).Should().BeEmpty();
        return host!.Services.GetServices<ServerFeature>().Distinct().ToList();
    }

    /// <summary>
    /// A database shaped like <c>system</c>'s catalogue of a release: functions introduced up to it, settings not first
    /// listed after it, and table functions without the per-storage Iceberg ones before 24.9 (only <c>iceberg</c>, on S3).
    /// </summary>
    private static async Task<string> OlderCatalogueAsync(int major, int minor)
    {
        var database = $"catalogue_{major}_{minor}_{Guid.NewGuid():N}"[..32];
        var release = string.Create(CultureInfo.InvariantCulture, $"({major}, {minor})");
        const string Release = "(toUInt32(splitByChar('.', {0})[1]), toUInt32(splitByChar('.', {0})[2]))";
        await Gateway.ExecuteAsync($"CREATE DATABASE {database}");
        await Gateway.ExecuteAsync(
            $"CREATE TABLE {database}.functions ENGINE = Memory AS SELECT name FROM system.functions WHERE introduced_in = '' OR {string.Format(CultureInfo.InvariantCulture, Release, "introduced_in")} <= {release}");
        await Gateway.ExecuteAsync(
            $"CREATE TABLE {database}.settings ENGINE = Memory AS SELECT name FROM system.settings WHERE name NOT IN " +
            $"(SELECT c.1 FROM system.settings_changes ARRAY JOIN changes AS c GROUP BY c.1 HAVING min({string.Format(CultureInfo.InvariantCulture, Release, "version")}) > {release})");
        await Gateway.ExecuteAsync(
            $"CREATE TABLE {database}.table_functions ENGINE = Memory AS SELECT name FROM system.table_functions WHERE {release} >= (24, 9) OR name = 'iceberg' OR NOT startsWith(name, 'iceberg')");
        return database;
    }

    /// <summary>
    /// The text of every string literal in the modules that can send SQL (K2.ClickHouse and those referencing it), except
    /// the embedded engine's own code (its release is pinned).
    /// </summary>
    /// <summary>
    /// Settings the catalogue first lists for a change of default, not for their introduction: K2 sets them explicitly so
    /// that every release behaves alike (output_format_json_quote_64bit_integers exists since 19.x; 25.8 turned its default off).
    /// </summary>
    private static readonly HashSet<string> OlderThanTheirFirstListing = ["output_format_json_quote_64bit_integers"];

    private static string SqlLiteralsOfTheModules()
    {
        var modules = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "K2.Modules"), "*.csproj", SearchOption.AllDirectories)
            .Where(project => Path.GetFileName(project) == "K2.ClickHouse.csproj" || File.ReadAllText(project).Contains("K2.ClickHouse.csproj", StringComparison.Ordinal))
            .Select(Path.GetDirectoryName)
            .ToList();
        modules.Select(Path.GetFileName).Should().Contain(["K2.ClickHouse", "K2.Offload", "K2.Maintenance"]);
        var sources = modules.SelectMany(folder => Directory.EnumerateFiles(folder!, "*.cs", SearchOption.AllDirectories))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains("Embedded", StringComparison.Ordinal)
                // The HTTP interface serves the embedded engine only (refused with Mode: Http): its settings are chDB's.
                && !path.Contains("HttpInterface", StringComparison.Ordinal));
        return string.Join("\n", sources.SelectMany(path => StringLiteral().Matches(File.ReadAllText(path)).Select(m => m.Value)));
    }

    private static bool Calls(string text, string name, bool caseInsensitive) =>
        Regex.IsMatch(text, $@"(?<![A-Za-z0-9_.]){Regex.Escape(name)}\s*\(", caseInsensitive ? RegexOptions.IgnoreCase : RegexOptions.None);

    /// <summary>A table function's first argument is a quoted literal or an interpolated one, unlike prose such as "file(s)".</summary>
    private static bool CallsTableFunction(string text, string name) =>
        Regex.IsMatch(text, $@"(?<![A-Za-z0-9_.]){Regex.Escape(name)}\s*\(\s*['{{]");

    /// <summary>A release such as <c>25.8</c> from <c>25.8.0</c>; 0.0 when unknown.</summary>
    private static Version ReleaseOf(string text)
    {
        var parts = text.Split('.');
        return parts.Length >= 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var major) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var minor)
            ? new Version(major, minor)
            : new Version(0, 0);
    }

    [GeneratedRegex("\"\"\"[\\s\\S]*?\"\"\"|@\"(?:[^\"]|\"\")*\"|\"(?:[^\"\\\\\\r\\n]|\\\\.)*\"")]
    private static partial Regex StringLiteral();
}
