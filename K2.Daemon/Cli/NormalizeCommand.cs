using System.CommandLine;
using K2.Core.Configuration;
using K2.Core.Trades;
using K2.Exchanges;
using K2.Exchanges.Pipeline;
using K2.Instruments;

namespace K2.Daemon.Cli;

/// <summary>
/// <c>k2 normalize --exchange &lt;binance|kraken|coinbase&gt; --input &lt;file&gt;</c>: one WebSocket text frame
/// per input line through the live parser, normalizer and dedup; one JSON object per unique trade on stdout,
/// one line per rejected frame (line number and reason) on stderr.
/// </summary>
internal static class NormalizeCommand
{
    public static Command Create()
    {
        var exchange = new Option<string>("--exchange") { Description = $"Exchange of the capture: {ExchangeNames.Allowed}", Required = true };
        var input = new Option<string>("--input") { Description = "Capture file: one WebSocket text frame per line, in arrival order", Required = true };
        var command = new Command("normalize", "Normalize a captured frame stream to one JSON trade per line (same path as live ingestion, REST backfill off)") { exchange, input };
        command.SetAction(parse => Run(parse.GetValue(exchange)!, parse.GetValue(input)!, Console.OpenStandardOutput(), Console.Error));
        return command;
    }

    internal static int Run(string exchangeName, string inputPath, Stream output, TextWriter errors)
    {
        if (!ExchangeNames.TryParse(exchangeName, out var exchange))
        {
            errors.WriteLine($"k2 normalize: unknown exchange '{exchangeName}'; allowed: {ExchangeNames.Allowed}");
            return ExitCodes.BadConfiguration;
        }

        if (!File.Exists(inputPath))
        {
            errors.WriteLine($"k2 normalize: input file '{inputPath}' does not exist");
            return ExitCodes.Failure;
        }

        var configuration = DaemonConfiguration.Build();
        var instruments = DaemonConfiguration.LoadInstruments(configuration, out _, out var problems);
        if (instruments is null) { return ExitCodes.ReportConfigurationProblems(problems); }

        var options = OptionsBinder.Bind<ExchangesOptions>(configuration.GetSection(ExchangesOptions.SectionName), new ConfigurationProblems());
        using var reader = new StreamReader(inputPath);
        CaptureNormalizer.Run(exchange, options, instruments, reader, output, errors, TimeProvider.System);
        return ExitCodes.Ok;
    }
}
