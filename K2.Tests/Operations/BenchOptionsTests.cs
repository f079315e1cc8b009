using K2.Tests.Support;

namespace K2.Tests.Operations;

/// <summary><c>k2 bench</c> refuses options it cannot run with: exit 2 and a line naming the option and what is allowed, nothing started.</summary>
public sealed class BenchOptionsTests
{
    [TestCase("--minutes", "0", "positive number of minutes")]
    [TestCase("--minutes", "-1", "positive number of minutes")]
    [TestCase("--rate", "0", "positive number of records per second")]
    public void A_soak_without_a_positive_duration_or_rate_exits_2_naming_the_option(string option, string value, string allowed)
    {
        using var soak = K2Process.Run(["bench", "soak", option, value], timeout: TimeSpan.FromMinutes(1));

        soak.ExitCode.Should().Be(2, soak.StandardError);
        soak.StandardError.Should().Contain($"k2 bench soak: {option} {value}: must be a {allowed}");
        soak.StandardError.Should().NotContain("Exception");
        soak.StandardOutput.Should().BeEmpty();
    }

    [Test]
    public void A_scenario_without_records_exits_2_naming_the_option()
    {
        using var bench = K2Process.Run(["bench", "normalize", "--records", "0"], timeout: TimeSpan.FromMinutes(1));

        bench.ExitCode.Should().Be(2, bench.StandardError);
        bench.StandardError.Should().Contain("k2 bench normalize: --records 0: must be a whole number of records, at least 1");
        bench.StandardOutput.Should().BeEmpty();
    }
}
