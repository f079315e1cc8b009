using System.CommandLine;
using K2.ClickHouse.Gateway;
using K2.ClickHouse.Schema;
using K2.Core.Configuration;
using K2.Core.Hosting;
using K2.Maintenance;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Daemon.Cli;

/// <summary><c>k2 maintenance --once [--table NAME]</c>: one maintenance run now (compaction, expiry, orphans, audit).</summary>
internal static class MaintenanceCommand
{
    public static Command Create()
    {
        var once = new Option<bool>("--once") { Description = "Run compaction, snapshot expiry, orphan cleanup and the audit once, now, and exit" };
        var table = new Option<string?>("--table") { Description = "Only this cold table, e.g. silver_trades (default: all ten)" };
        var command = new Command("maintenance", "Maintain the cold Iceberg tables (the daemon runs this daily on Modules:Maintenance:Schedule)") { once, table };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!parse.GetValue(once))
            {
                await Console.Error.WriteLineAsync("k2 maintenance: give --once (the daemon runs the scheduled job)");
                return ExitCodes.Failure;
            }

            return await WithRunnerAsync(runner => RunAsync(runner, parse.GetValue(table), Console.Out, Console.Error, cancellationToken));
        });
        return command;
    }

    /// <summary>The maintenance outside the daemon, on the hot tier of <c>k2 ddl</c> and the Iceberg section.</summary>
    internal static Task<int> WithRunnerAsync(Func<IMaintenanceOnDemand, Task<int>> action) =>
        CliServices.RunAsync(DdlCommand.Services, async (hot, configuration) =>
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddSingleton(TimeProvider.System);
            services.AddSingleton(hot.GetRequiredService<IClickHouseGateway>());
            services.AddSingleton(hot.GetRequiredService<HotTierSettings>());
            services.AddMaintenance(configuration, JobHosting.OnDemand);
            var maintenanceProblems = services.GetConfigurationProblems();
            if (maintenanceProblems.Any) { return ExitCodes.ReportConfigurationProblems(maintenanceProblems.All); }
            await using var provider = services.BuildServiceProvider();
            return await action(provider.GetRequiredService<IMaintenanceOnDemand>());
        });

    internal static async Task<int> RunAsync(IMaintenanceOnDemand runner, string? table, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        MaintenanceRunResult run;
        try
        {
            run = await runner.RunAsync(table, cancellationToken);
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"k2 maintenance: {ex.Message}");
            return ExitCodes.Failure;
        }

        output.WriteLine($"{"TABLE",-24} {"FILES",13} {"MB",17} {"EXPIRED",8} {"DELETED",8} {"ORPHANS",8}  FAILED STEPS");
        foreach (var t in run.Tables)
        {
            var files = t.Compaction is { } c ? $"{c.FilesBefore}→{c.FilesAfter}" : "-";
            var mb = t.Compaction is { } m ? $"{m.BytesBefore / 1048576.0:F1}→{m.BytesAfter / 1048576.0:F1}" : "-";
            output.WriteLine($"{t.Table,-24} {files,13} {mb,17} {t.Expiry?.SnapshotsExpired.ToString() ?? "-",8} {(t.Expiry?.FilesDeleted + t.Orphans?.OrphansDeleted)?.ToString() ?? "-",8} {t.Orphans?.OrphansFound.ToString() ?? "-",8}  {string.Join(", ", t.Failures)}");
        }

        if (run.Audit is { } audit) { AuditCommand.Print(audit, output); }
        else { await error.WriteLineAsync($"k2 maintenance: the audit did not run: {run.AuditFailure}"); }
        output.WriteLine($"maintenance {run.Outcome}");
        return run.Failed ? ExitCodes.Failure : ExitCodes.Ok;
    }
}
