using K2.ClickHouse;
using K2.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Tests.ClickHouse.HttpInterface;

public sealed class HttpInterfaceOptionsTests
{
    [Test]
    public void The_interface_is_off_and_on_loopback_by_default()
    {
        var options = new ClickHouseOptions().HttpInterface;

        options.Enabled.Should().BeFalse();
        options.Listen.Should().Be("127.0.0.1:8123");
        options.PasswordVariable.Should().Be("K2_CLICKHOUSE_HTTP_PASSWORD");
    }

    [Test]
    public void With_a_ClickHouse_server_the_interface_is_refused_naming_the_key()
    {
        var problems = Problems(new()
        {
            ["Modules:ClickHouse:Mode"] = "Http",
            ["Modules:ClickHouse:Http:Url"] = "http://clickhouse:8123",
            ["Modules:ClickHouse:HttpInterface:Enabled"] = "true",
        });

        problems.Should().ContainSingle(p => p.StartsWith("Modules:ClickHouse:HttpInterface:Enabled (env K2__Modules__ClickHouse__HttpInterface__Enabled)", StringComparison.Ordinal));
    }

    [Test]
    public void A_listener_other_machines_reach_needs_a_password()
    {
        var variable = $"K2_TEST_UNSET_{Guid.NewGuid():N}";
        var settings = new Dictionary<string, string?>
        {
            ["Modules:ClickHouse:HttpInterface:Enabled"] = "true",
            ["Modules:ClickHouse:HttpInterface:Listen"] = "0.0.0.0:8123",
            ["Modules:ClickHouse:HttpInterface:PasswordVariable"] = variable,
        };

        Problems(settings).Should().ContainSingle(p => p.StartsWith("Modules:ClickHouse:HttpInterface:Listen", StringComparison.Ordinal) && p.Contains(variable, StringComparison.Ordinal));
        Problems(new() { ["Modules:ClickHouse:HttpInterface:Listen"] = "everywhere" }).Should().ContainSingle(p => p.Contains("'everywhere'", StringComparison.Ordinal));

        Environment.SetEnvironmentVariable(variable, "set-for-this-test");
        try
        {
            Problems(settings).Should().BeEmpty();
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Test]
    public void The_timeout_of_requests_to_a_ClickHouse_server_is_a_validated_setting()
    {
        new ClickHouseOptions().Http.TimeoutSeconds.Should().Be(600);
        var problems = Problems(new()
        {
            ["Modules:ClickHouse:Mode"] = "Http",
            ["Modules:ClickHouse:Http:Url"] = "http://clickhouse:8123",
            ["Modules:ClickHouse:Http:TimeoutSeconds"] = "0",
        });

        problems.Should().ContainSingle(p => p.StartsWith("Modules:ClickHouse:Http:TimeoutSeconds", StringComparison.Ordinal) && p.Contains("1–86400 seconds", StringComparison.Ordinal));
    }

    private static IReadOnlyList<string> Problems(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddClickHouse(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.GetConfigurationProblems().All;
    }
}
