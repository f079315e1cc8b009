using System.CommandLine;
using K2.Daemon.Cli;

namespace K2.Bench;

/// <summary>
/// <c>k2 bench &lt;scenario&gt; [--records N] [--minutes M] [--rate R] [--days D] [--data-dir DIR]</c>: prints JSON figures. The
/// checkout's <c>./k2</c> runs this binary for <c>bench</c>; the daemon binary has no benchmarks.
/// </summary>
internal static class BenchCommand
{
    public static RootCommand Create()
    {
        var command = new RootCommand("Measure a part of the pipeline on synthetic data and print JSON figures");
        var scenarios = typeof(IBenchScenario).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IBenchScenario).IsAssignableFrom(t))
            .Select(t => (IBenchScenario)Activator.CreateInstance(t)!)
            .OrderBy(s => s.Name, StringComparer.Ordinal);
        foreach (var scenario in scenarios)
        {
            var records = new Option<long>("--records") { Description = "Synthetic records to process", DefaultValueFactory = _ => 1_000_000 };
            var minutes = new Option<double>("--minutes") { Description = "Duration of time-based scenarios", DefaultValueFactory = _ => 1 };
            var rate = new Option<double>("--rate") { Description = "Records per second of rate-driven scenarios (soak; clickhouse-ingest latency mode)", DefaultValueFactory = _ => 600 };
            var days = new Option<int>("--days") { Description = "Simulated days of day-based scenarios (cold-growth)", DefaultValueFactory = _ => 30 };
            var dataDir = new Option<string?>("--data-dir") { Description = "Scratch folder (default: a temp folder, deleted afterwards)" };
            var bootstrap = new Option<string>("--bootstrap") { Description = "External Kafka brokers (host:port,…) for scenarios that run the daemon (chaos); default: the embedded cluster", DefaultValueFactory = _ => "" };
            var sub = new Command(scenario.Name, scenario.Description) { records, minutes, rate, days, dataDir, bootstrap };
            sub.SetAction(async (parse, cancellationToken) =>
            {
                var dir = parse.GetValue(dataDir);
                var arguments = new BenchArguments(parse.GetValue(records), parse.GetValue(minutes), dir ?? "", parse.GetValue(rate), parse.GetValue(days), parse.GetValue(bootstrap) ?? "") { RateGiven = parse.GetResult(rate) is { Implicit: false } };
                if (arguments.Problems() is { Count: > 0 } problems)
                {
                    foreach (var problem in problems) { await Console.Error.WriteLineAsync($"k2 bench {scenario.Name}: {problem}"); }
                    return ExitCodes.BadConfiguration;
                }

                var temporary = dir is null;
                dir ??= Path.Combine(Path.GetTempPath(), $"k2-bench-{Guid.NewGuid():N}");
                Directory.CreateDirectory(dir);
                try
                {
                    var report = await scenario.RunAsync(arguments with { DataDir = dir }, cancellationToken);
                    Console.WriteLine(report.ToJson());
                    return ExitCodes.Ok;
                }
                finally
                {
                    if (temporary) { TryDelete(dir); }
                }
            });
            command.Subcommands.Add(sub);
        }

        return command;
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
