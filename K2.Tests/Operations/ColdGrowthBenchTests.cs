using System.Text.Json;
using K2.Bench;
using K2.Offload.Tables;
using K2.Tests.Support;

namespace K2.Tests.Operations;

/// <summary>
/// <c>k2 bench cold-growth</c> through the real binary: one simulated day, then the same command for two days on the same
/// <c>--data-dir</c>, which continues the first run with day 2 instead of starting over.
/// </summary>
public sealed class ColdGrowthBenchTests
{
    private const int Records = 10;

    [Test]
    public async Task A_run_given_an_earlier_run_s_data_dir_continues_after_the_last_day_it_holds()
    {
        var dataDir = TestPaths.NewScratchFolder("cold-growth");

        using var first = K2Process.Run(["bench", "cold-growth", "--days", "1", "--records", $"{Records}", "--data-dir", dataDir], timeout: TimeSpan.FromMinutes(3));

        first.ExitCode.Should().Be(0, first.StandardError);
        var firstDetails = Report(first, out var firstRecords);
        firstDetails.GetProperty("first_day").GetInt32().Should().Be(1);
        firstDetails.GetProperty("days").EnumerateArray().Select(d => d.GetProperty("day").GetInt32()).Should().Equal(1);
        firstDetails.TryGetProperty("metadata_bytes_max_ratio_to_day1", out _).Should().BeTrue("a run from day 1 reports its ratios");
        (await SilverRecordsAsync(dataDir)).Should().Be(96L * Records);

        using var second = K2Process.Run(["bench", "cold-growth", "--days", "2", "--records", $"{Records}", "--data-dir", dataDir], timeout: TimeSpan.FromMinutes(3));

        second.ExitCode.Should().Be(0, second.StandardError);
        second.StandardError.Should().Contain("continuing the run").And.Contain("at day 2");
        var secondDetails = Report(second, out var secondRecords);
        secondDetails.GetProperty("first_day").GetInt32().Should().Be(2);
        var days = secondDetails.GetProperty("days").EnumerateArray().ToList();
        days.Select(d => d.GetProperty("day").GetInt32()).Should().Equal(2);
        days[0].GetProperty("manifests_per_table_max").GetDouble().Should().Be(1, "the day's maintenance rewrote each table's manifests into one");
        secondDetails.TryGetProperty("metadata_bytes_max_ratio_to_day1", out _).Should().BeFalse("day 1's figures are in the first run's output");
        secondRecords.Should().Be(firstRecords, "each run wrote one day");
        (await SilverRecordsAsync(dataDir)).Should().Be(2 * 96L * Records, "day 2 was added to day 1's table, not written over it");
    }

    private static JsonElement Report(K2Process bench, out long records)
    {
        var lines = bench.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var root = JsonDocument.Parse(lines[^1]).RootElement;
        root.GetProperty("scenario").GetString().Should().Be("cold-growth");
        records = root.GetProperty("records").GetInt64();
        return root.GetProperty("details");
    }

    /// <summary>The rows the bench's silver table holds, from its current snapshot in the bench's own catalog.</summary>
    private static async Task<long> SilverRecordsAsync(string dataDir)
    {
        var (services, warehouse) = await BenchServices.StartWarehouseAsync(Path.Combine(dataDir, "growth"), "k2", CancellationToken.None);
        await using var _ = services;
        var silver = await warehouse.LoadTableAsync(ColdTables.Silver.Identifier);
        return silver.Metadata.CurrentSnapshot!.TotalRecords;
    }
}
