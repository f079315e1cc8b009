using System.Globalization;

namespace K2.Bench;

/// <summary>
/// One <c>k2 bench &lt;name&gt;</c> scenario. Scenarios are found by reflection: a new one is a class
/// in this assembly implementing this interface with a public parameterless constructor.
/// </summary>
internal interface IBenchScenario
{
    /// <summary>The verb name, e.g. <c>normalize</c>.</summary>
    string Name { get; }

    string Description { get; }

    /// <summary>Runs on synthetic data of <see cref="BenchArguments.Records"/> records and returns the figures.</summary>
    Task<BenchReport> RunAsync(BenchArguments arguments, CancellationToken cancellationToken);
}

/// <param name="Records">How many synthetic records to process.</param>
/// <param name="Minutes">Duration for time-based scenarios (soak).</param>
/// <param name="DataDir">Scratch folder for scenarios that need one (deleted afterwards unless given).</param>
/// <param name="Rate">Records per second for rate-driven scenarios (soak).</param>
/// <param name="Bootstrap">An external Kafka cluster (host:port,…) for scenarios that can use one (chaos); empty: embedded.</param>
internal sealed record BenchArguments(long Records, double Minutes, string DataDir, double Rate = 600, int Days = 30, string Bootstrap = "")
{
    /// <summary><c>--rate</c> was given on the command line (not its default), for scenarios with a rate-driven mode.</summary>
    public bool RateGiven { get; init; }

    /// <summary>Each option out of range, as a message naming it and what is allowed; empty when all are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Records < 1) { problems.Add($"--records {Records.ToString(CultureInfo.InvariantCulture)}: must be a whole number of records, at least 1"); }
        if (!IsPositiveFinite(Minutes)) { problems.Add($"--minutes {Minutes.ToString(CultureInfo.InvariantCulture)}: must be a positive number of minutes, e.g. 10 or 0.5"); }
        if (!IsPositiveFinite(Rate)) { problems.Add($"--rate {Rate.ToString(CultureInfo.InvariantCulture)}: must be a positive number of records per second, e.g. 600"); }
        if (Days < 1) { problems.Add($"--days {Days.ToString(CultureInfo.InvariantCulture)}: must be a whole number of days, at least 1"); }
        return problems;
    }

    private static bool IsPositiveFinite(double value) => value > 0 && double.IsFinite(value);
}
