using System.CommandLine;
using System.Globalization;
using K2.ClickHouse;
using K2.Core.Configuration;
using K2.Core.Hosting;
using K2.Kafka;
using K2.Offload;
using K2.Offload.Runs;
using K2.Offload.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Daemon.Cli;

/// <summary><c>k2 offload --once [--table NAME]</c>: one offload run now, outside the daemon's schedule.</summary>
internal static class OffloadCommand
{
    public static Command Create()
    {
        var once = new Option<bool>("--once") { Description = "Run the offload once now (the daemon runs it on Modules:Offload:Schedule)" };
        var table = new Option<string?>("--table") { Description = $"Only this cold table: {string.Join(", ", ColdTables.All.Select(t => t.Name))}" };
        var command = new Command("offload", "Offload hot ClickHouse data to the cold Iceberg tables, exactly once") { once, table };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!parse.GetValue(once))
            {
                await Console.Error.WriteLineAsync("k2 offload: give --once (the scheduled offload runs inside `k2 run`)");
                return ExitCodes.Failure;
            }

            var name = parse.GetValue(table);
            var only = name is null ? null : ColdTables.Find(name);
            if (name is not null && only is null)
            {
                await Console.Error.WriteLineAsync($"k2 offload: unknown table '{name}'; one of {string.Join(", ", ColdTables.All.Select(t => t.Name))}");
                return ExitCodes.Failure;
            }

            return await CliServices.RunAsync(Services, async (provider, _) =>
            {
                var results = await provider.GetRequiredService<IOffloadOnDemand>().RunAsync(only is null ? null : [only], cancellationToken);
                await WriteAsync(results, Console.Out);
                return results.Any(r => r.Outcome == OffloadOutcome.Failed) ? ExitCodes.Failure : ExitCodes.Ok;
            });
        });
        return command;
    }

    internal static ServiceProvider? Services(IConfiguration configuration, out IReadOnlyList<string> problems)
    {
        var services = new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System).AddKafka(configuration).AddClickHouse(configuration)
            .AddOffload(configuration, JobHosting.OnDemand);
        services.AddProcessSettings(configuration);
        problems = services.GetConfigurationProblems().All;
        if (problems.Count == 0 && services.All(d => d.ServiceType != typeof(K2.ClickHouse.Gateway.IClickHouseGateway)))
        {
            problems = [$"{ClickHouseOptions.SectionName}:Enabled: the ClickHouse module is disabled; the offload reads the hot tier from it"];
        }

        return problems.Count > 0 ? null : services.BuildServiceProvider();
    }

    internal static async Task WriteAsync(IReadOnlyList<OffloadResult> results, TextWriter output)
    {
        await output.WriteLineAsync($"{"TABLE",-26} {"OUTCOME",-11} {"ROWS",10} {"BYTES",12} {"FILES",5} {"SECONDS",8}  WATERMARK / ERROR");
        foreach (var r in results)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{r.Table,-26} {r.Outcome,-11} {r.Rows,10} {r.Bytes,12} {r.Files,5} {r.Duration.TotalSeconds,8:F2}  {r.Error ?? r.Watermark}"));
        }
    }
}
