using System.CommandLine;
using System.Globalization;
using K2.ClickHouse;
using K2.ClickHouse.Embedded;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Operations;
using K2.ClickHouse.Schema;
using K2.Core.Configuration;
using K2.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Daemon.Cli;

internal enum DdlAction
{
    Print,
    Apply,
    Duplicates,
    RepairCandles,
}

/// <summary>
/// <c>k2 ddl --print | --apply | --duplicates --from T --to T | --repair-candles --from T --to T</c>:
/// the ClickHouse hot tier's schema and its repairs, on the configured server.
/// </summary>
internal static class DdlCommand
{
    public static Command Create()
    {
        var print = new Option<bool>("--print") { Description = "Print the hot-tier DDL (migrations and Kafka consumers) without running it" };
        var apply = new Option<bool>("--apply") { Description = "Check the server version, apply pending migrations and reconcile the Kafka consumers" };
        var duplicates = new Option<bool>("--duplicates") { Description = "Report duplicate trades per table and hour between --from and --to" };
        var repair = new Option<bool>("--repair-candles") { Description = "Recompute the candles of windows overlapping --from … --to from deduplicated silver" };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Start of the range (UTC unless an offset is given), e.g. 2026-02-17T14:00:00Z" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "End of the range (exclusive)" };
        var command = new Command("ddl", "Create, migrate and repair the ClickHouse hot tier") { print, apply, duplicates, repair, from, to };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var chosen = new[] { (parse.GetValue(print), DdlAction.Print), (parse.GetValue(apply), DdlAction.Apply), (parse.GetValue(duplicates), DdlAction.Duplicates), (parse.GetValue(repair), DdlAction.RepairCandles) }
                .Where(c => c.Item1).Select(c => c.Item2).ToList();
            if (chosen.Count != 1)
            {
                await Console.Error.WriteLineAsync("k2 ddl: give exactly one of --print, --apply, --duplicates, --repair-candles");
                return ExitCodes.Failure;
            }

            return await CliServices.RunAsync(Services, (provider, _) => RunAsync(provider, chosen[0], parse.GetValue(from), parse.GetValue(to), Console.Out, Console.Error, cancellationToken));
        });
        return command;
    }

    /// <summary>
    /// The ClickHouse module (and Kafka, for the default brokers) outside the daemon, with the host's process settings;
    /// null when configuration is invalid.
    /// </summary>
    internal static ServiceProvider? Services(IConfiguration configuration, out IReadOnlyList<string> problems)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddProcessSettings(configuration);
        services.AddKafka(configuration);
        services.AddClickHouse(configuration);
        problems = services.GetConfigurationProblems().All;
        if (problems.Count == 0 && services.All(d => d.ServiceType != typeof(HotTierSchema)))
        {
            problems = [$"{ClickHouseOptions.SectionName}:Enabled: the ClickHouse module is disabled; enable it to manage its schema"];
        }

        return problems.Count > 0 ? null : services.BuildServiceProvider();
    }

    internal static async Task<int> RunAsync(IServiceProvider services, DdlAction action, DateTimeOffset? from, DateTimeOffset? to, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (action is DdlAction.Duplicates or DdlAction.RepairCandles && (from is null || to is null || to <= from))
        {
            await error.WriteLineAsync("k2 ddl: --duplicates and --repair-candles need --from and --to, with --to after --from (e.g. --from 2026-02-17T14:00:00Z --to 2026-02-17T15:00:00Z)");
            return ExitCodes.Failure;
        }

        try
        {
            switch (action)
            {
                case DdlAction.Print:
                    await output.WriteAsync(services.GetRequiredService<HotTierSchema>().Script());
                    break;
                case DdlAction.Apply:
                    var result = await services.GetRequiredService<HotTierSchema>().ApplyAsync(cancellationToken: cancellationToken);
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"ClickHouse {result.ServerVersion}: {result.Applied.Count} migration(s) applied{Names(result.Applied)}, {result.Changed.Count} changed since applied{Names(result.Changed)}, {result.ConsumersCreated.Count} Kafka consumer(s) (re)created"));
                    break;
                case DdlAction.Duplicates:
                    var hours = await services.GetRequiredService<DuplicateReport>().FindAsync(from!.Value, to!.Value, cancellationToken);
                    await output.WriteLineAsync($"{"TABLE",-26} {"HOUR (UTC)",-20} {"COUNTED",10} {"DISTINCT",10} {"DUPLICATES",10}");
                    foreach (var hour in hours)
                    {
                        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{hour.Table,-26} {hour.Hour:yyyy-MM-dd HH:mm,-20} {hour.Counted,10} {hour.Distinct,10} {hour.Duplicates,10}"));
                    }

                    await output.WriteLineAsync(hours.Count == 0 ? "no duplicates" : $"{hours.Count} table-hour(s) with duplicates; candles are fixed with --repair-candles");
                    break;
                case DdlAction.RepairCandles:
                    var candles = await services.GetRequiredService<CandleRepair>().RepairAsync(from!.Value, to!.Value, cancellationToken);
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{candles} candle(s) recomputed from deduplicated silver"));
                    break;
            }

            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is ClickHouseGatewayException or UnsupportedServerVersionException or ChDbLibraryMissingException or InvalidOperationException or ArgumentException)
        {
            await error.WriteLineAsync($"k2 ddl: {ex.Message}");
            return ExitCodes.Failure;
        }
    }

    private static string Names(IReadOnlyList<Migration> migrations) =>
        migrations.Count == 0 ? "" : $" ({string.Join(", ", migrations.Select(m => $"{m.Version} {m.Name}"))})";
}
