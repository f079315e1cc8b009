using System.ComponentModel.DataAnnotations;
using K2.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace K2.Tests.Operations;

public sealed class ConfigurationValidationTests
{
    public enum Flavor { Plain, Spicy }

    public sealed class SampleOptions : ModuleOptions, IValidatableObject
    {
        [System.ComponentModel.DataAnnotations.Range(1, 10)] public int Count { get; set; } = 3;
        public Flavor Flavor { get; set; }
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
        public decimal Ratio { get; set; } = 0.5m;
        public Nested Inner { get; set; } = new();
        public Dictionary<string, Nested> PerExchange { get; set; } = new();
        public List<string> Tags { get; set; } = [];
        public string Mode { get; set; } = "a";
        public string Target { get; set; } = "";

        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        {
            if (Mode == "b" && Target.Length == 0) { yield return new ValidationResult("required when Mode is b", [nameof(Target)]); }
        }
    }

    public sealed class Nested
    {
        [System.ComponentModel.DataAnnotations.Range(0, 100)] public int Percent { get; set; } = 50;
        public bool Enabled { get; set; } = true;
    }

    private static (SampleOptions Options, IReadOnlyList<string> Problems, IServiceProvider Services) Bind(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        var options = services.AddValidatedOptions<SampleOptions>(configuration, "Modules:Sample");
        return (options, services.GetConfigurationProblems().All, services.BuildServiceProvider());
    }

    [Test]
    public void Valid_values_bind_including_nested_dictionaries_and_lists()
    {
        var (options, problems, services) = Bind(new()
        {
            ["Modules:Sample:Enabled"] = "false",
            ["Modules:Sample:Count"] = "7",
            ["Modules:Sample:Flavor"] = "spicy",
            ["Modules:Sample:Timeout"] = "00:01:00",
            ["Modules:Sample:Ratio"] = "0.125",
            ["Modules:Sample:Inner:Percent"] = "99",
            ["Modules:Sample:PerExchange:binance:Enabled"] = "false",
            ["Modules:Sample:Tags:0"] = "x",
            ["Modules:Sample:Tags:1"] = "y",
        });

        problems.Should().BeEmpty();
        options.Should().BeEquivalentTo(new
        {
            Enabled = false, Count = 7, Flavor = Flavor.Spicy, Timeout = TimeSpan.FromMinutes(1), Ratio = 0.125m,
            Inner = new { Percent = 99 }, Tags = new[] { "x", "y" },
        });
        options.PerExchange["binance"].Enabled.Should().BeFalse();
        services.GetRequiredService<IOptions<SampleOptions>>().Value.Should().BeSameAs(options);
    }

    [Test]
    public void Every_bad_value_is_reported_once_naming_its_key_and_what_is_allowed()
    {
        var (_, problems, _) = Bind(new()
        {
            ["Modules:Sample:Enabled"] = "maybe",
            ["Modules:Sample:Count"] = "eleven",
            ["Modules:Sample:Flavor"] = "sour",
            ["Modules:Sample:Timeout"] = "soon",
            ["Modules:Sample:Inner:Percent"] = "101",
            ["Modules:Sample:PerExchange:kraken:Enabled"] = "yes",
            ["Modules:Sample:Colour"] = "red",
            ["Modules:Sample:Mode"] = "b",
        });

        problems.Should().BeEquivalentTo(
            "Modules:Sample:Enabled (env K2__Modules__Sample__Enabled): 'maybe' is not valid; allowed: true or false",
            "Modules:Sample:Count (env K2__Modules__Sample__Count): 'eleven' is not valid; allowed: a whole number",
            "Modules:Sample:Flavor (env K2__Modules__Sample__Flavor): 'sour' is not valid; allowed: Plain, Spicy",
            "Modules:Sample:Timeout (env K2__Modules__Sample__Timeout): 'soon' is not valid; allowed: a duration such as 00:00:30",
            "Modules:Sample:Inner:Percent (env K2__Modules__Sample__Inner__Percent): The field Percent must be between 0 and 100.",
            "Modules:Sample:PerExchange:kraken:Enabled (env K2__Modules__Sample__PerExchange__kraken__Enabled): 'yes' is not valid; allowed: true or false",
            "Modules:Sample:Colour (env K2__Modules__Sample__Colour): unknown key; allowed keys here: Count, Enabled, Flavor, Inner, Mode, PerExchange, Ratio, Tags, Target, Timeout",
            "Modules:Sample:Target (env K2__Modules__Sample__Target): required when Mode is b");
    }

    [Test]
    public void A_number_is_not_accepted_for_an_enum()
    {
        var (_, problems, _) = Bind(new() { ["Modules:Sample:Flavor"] = "1" });

        problems.Should().ContainSingle().Which.Should().Contain("allowed: Plain, Spicy");
    }
}
