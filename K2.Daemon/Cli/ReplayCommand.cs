using System.CommandLine;
using System.Globalization;
using K2.ClickHouse.Embedded;
using K2.Daemon.Replay;

namespace K2.Daemon.Cli;

/// <summary>
/// <c>k2 replay --input &lt;exchange&gt;:&lt;file&gt; [--input …] [--data-dir DIR] [--speed N|max]</c>:
/// captured streams through the whole embedded pipeline; prints a JSON summary.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var inputs = new Option<string[]>("--input") { Description = "A capture as <exchange>:<file> (one WebSocket text frame per line); repeatable", Required = true, AllowMultipleArgumentsPerToken = false };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder for the embedded parts (default: ./k2-replay-<time>); Iceberg tables land in DIR/warehouse/cold/<table>/" };
        var speed = new Option<string>("--speed") { Description = "max (default) or a multiple of the capture's real pace, e.g. 10", DefaultValueFactory = _ => "max" };
        var timeout = new Option<int>("--consume-timeout-seconds") { Description = "How long ClickHouse may take to consume everything", DefaultValueFactory = _ => 120 };
        var command = new Command("replay", "Push captured streams through the whole embedded pipeline (Kafka → ClickHouse → Iceberg) and print a summary") { inputs, dataDir, speed, timeout };
        command.SetAction(async (parse, cancellationToken) =>
            await RunAsync(parse.GetValue(inputs)!, parse.GetValue(dataDir), parse.GetValue(speed)!, parse.GetValue(timeout), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string[] inputTexts, string? dataDir, string speedText, int timeoutSeconds, CancellationToken cancellationToken)
    {
        var inputs = new List<ReplayInput>();
        foreach (var text in inputTexts)
        {
            if (!ReplayInput.TryParse(text, out var input, out var error))
            {
                await Console.Error.WriteLineAsync($"k2 replay: {error}");
                return ExitCodes.BadConfiguration;
            }

            inputs.Add(input);
        }

        double? speed = null;
        if (!string.Equals(speedText, "max", StringComparison.OrdinalIgnoreCase))
        {
            if (!double.TryParse(speedText, NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) || factor <= 0)
            {
                await Console.Error.WriteLineAsync($"k2 replay: --speed '{speedText}' must be 'max' or a positive number");
                return ExitCodes.BadConfiguration;
            }

            speed = factor;
        }

        var folder = Path.GetFullPath(dataDir ?? $"k2-replay-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        try
        {
            var summary = await new ReplayRunner(inputs, folder, speed, TimeSpan.FromSeconds(timeoutSeconds)).RunAsync(cancellationToken);
            Console.WriteLine(summary.ToJson());
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is ReplayException or ChDbLibraryMissingException or ChDbException or IOException)
        {
            await Console.Error.WriteLineAsync($"k2 replay: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}
