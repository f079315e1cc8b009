using System.CommandLine;
using System.Globalization;
using K2.Core.Configuration;
using K2.Iceberg;
using K2.Iceberg.Tables;
using K2.Maintenance;
using K2.Maintenance.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Daemon.Cli;

/// <summary><c>k2 audit [--run [--table NAME]]</c>: the latest hot-vs-cold audit from maintenance_audit_log, or a new one.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var run = new Option<bool>("--run") { Description = "Run an audit now (hot tier vs cold tables), store and print it" };
        var table = new Option<string?>("--table") { Description = "With --run: only this cold table, e.g. silver_trades" };
        var all = new Option<bool>("--all") { Description = "Print every (exchange, symbol, hour) row, not only the tables and the rows that are not ok" };
        var command = new Command("audit", "Show the latest audit of the hot tier against the cold tables, or run one") { run, table, all };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(run))
            {
                return await MaintenanceCommand.WithRunnerAsync(async runner =>
                {
                    try
                    {
                        var report = await runner.AuditAsync(parse.GetValue(table), cancellationToken);
                        Print(report, Console.Out, parse.GetValue(all));
                        return report.Failed ? ExitCodes.Failure : ExitCodes.Ok;
                    }
                    catch (ArgumentException ex)
                    {
                        await Console.Error.WriteLineAsync($"k2 audit: {ex.Message}");
                        return ExitCodes.Failure;
                    }
                });
            }

            var services = new ServiceCollection();
            services.AddIceberg(DaemonConfiguration.Build());
            var configurationProblems = services.GetConfigurationProblems();
            if (configurationProblems.Any) { return ExitCodes.ReportConfigurationProblems(configurationProblems.All); }
            await using var catalogOnly = services.BuildServiceProvider();
            var log = new AuditLog(catalogOnly.GetRequiredService<IcebergWarehouse>().Catalog);
            await log.EnsureAsync(cancellationToken);
            var latest = await log.LatestAsync(cancellationToken);
            if (latest is null)
            {
                Console.Out.WriteLine("no audit has run yet (k2 audit --run runs one)");
                return ExitCodes.Ok;
            }

            Print(latest, Console.Out, parse.GetValue(all));
            return latest.Failed ? ExitCodes.Failure : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Table rows, and the (exchange, symbol, hour) rows that are not ok (or all of them).</summary>
    internal static void Print(AuditReport report, TextWriter output, bool all = false)
    {
        output.WriteLine($"audit {report.RunId} at {report.RunAt:yyyy-MM-dd HH:mm:ss}Z, window [{report.WindowStart:yyyy-MM-dd HH:mm}, {report.WindowEnd:yyyy-MM-dd HH:mm}) UTC");
        output.WriteLine($"{"TABLE",-22} {"EXCHANGE",-9} {"SYMBOL",-12} {"HOUR",-16} {"HOT",10} {"COLD",10} {"DELTA%",9} {"STATUS",-12} NOTES");
        foreach (var row in report.Rows.Where(r => all || r.Hour is null || r.Status != AuditStatus.Ok))
        {
            var pct = row.DeltaPercent?.ToString("0.####", CultureInfo.InvariantCulture) ?? "-";
            output.WriteLine($"{row.Table,-22} {row.Exchange ?? "*",-9} {row.Symbol ?? "*",-12} {(row.Hour is { } h ? h.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "*"),-16} {row.HotRows,10} {row.ColdRows,10} {pct,9} {row.Status.ToWire(),-12} {row.Notes}");
        }

        output.WriteLine($"ok={report.Count(AuditStatus.Ok)} warning={report.Count(AuditStatus.Warning)} missing_data={report.Count(AuditStatus.MissingData)} error={report.Count(AuditStatus.Error)}");
    }
}
