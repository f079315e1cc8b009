using System.CommandLine;

namespace K2.Daemon.Cli;

/// <summary><c>k2 run</c>: the daemon (also the default verb).</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "Run the daemon: ingest, publish, hot tier, offload and maintenance as configured (default verb)");
        command.SetAction((_, cancellationToken) => RunAsync(cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var app = DaemonHost.Create(overrides: null, out var problems);
        if (app is null) { return ExitCodes.ReportConfigurationProblems(problems); }

        try
        {
            DaemonHost.EnterWorkingDirectory(app);
            await app.RunAsync();
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The host has logged the failure with its stack; the person at the terminal gets the reason.
            await Console.Error.WriteLineAsync($"k2: the daemon could not run: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
    }
}
