using System.CommandLine;

namespace K2.Daemon.Cli;

/// <summary>The <c>k2</c> command line. Each verb lives in its own file.</summary>
internal static class K2CommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand("K2: crypto market-data lakehouse daemon (exchanges → Kafka → ClickHouse → Iceberg)");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(InstrumentsCommand.Create());
        root.Subcommands.Add(NormalizeCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        root.Subcommands.Add(DdlCommand.Create());
        root.Subcommands.Add(OffloadCommand.Create());
        root.Subcommands.Add(MaintenanceCommand.Create());
        root.Subcommands.Add(AuditCommand.Create());
        root.Subcommands.Add(IcebergCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(QueryCommand.Create());
        root.SetAction((_, cancellationToken) => RunCommand.RunAsync(cancellationToken));
        return root;
    }

    public static Task<int> InvokeAsync(string[] args)
    {
        var configuration = new InvocationConfiguration
        {
            // The generic host handles SIGINT/SIGTERM itself and stops gracefully.
            ProcessTerminationTimeout = null,
        };
        var parse = Create().Parse(args);

        // Every verb reads the configuration; --help, --version and parse errors do not.
        if (parse.Action is { } action && action == parse.CommandResult.Command.Action && DaemonConfiguration.HomeProblem() is { } problem)
        {
            return Task.FromResult(ExitCodes.ReportConfigurationProblems([problem]));
        }

        return parse.InvokeAsync(configuration);
    }
}
