using System.CommandLine;
using K2.Core.Trades;

namespace K2.Daemon.Cli;

/// <summary><c>k2 instruments</c>: prints the resolved instrument registry as a table.</summary>
internal static class InstrumentsCommand
{
    public static Command Create()
    {
        var command = new Command("instruments", "Print the resolved instruments registry (exchange, symbol, canonical symbol)");
        command.SetAction(_ => Run(Console.Out));
        return command;
    }

    internal static int Run(TextWriter output)
    {
        var configuration = DaemonConfiguration.Build();
        var set = DaemonConfiguration.LoadInstruments(configuration, out var path, out var problems);
        if (set is null) { return ExitCodes.ReportConfigurationProblems(problems); }

        output.WriteLine($"{"EXCHANGE",-10} {"SYMBOL",-12} {"CANONICAL",-12} {"BASE",-6} {"QUOTE"}");
        foreach (var instrument in set.All)
        {
            output.WriteLine($"{instrument.Exchange.ToWire(),-10} {instrument.Symbol,-12} {instrument.Canonical,-12} {instrument.Base,-6} {instrument.Quote}");
        }

        var perExchange = string.Join(", ", ExchangeNames.All.Select(e => $"{e.ToWire()} {set.For(e).Count}"));
        output.WriteLine($"{set.All.Count} instruments ({perExchange}) from {path}");
        return ExitCodes.Ok;
    }
}
