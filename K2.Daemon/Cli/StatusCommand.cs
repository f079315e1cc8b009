using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using K2.Core.Health;
using K2.Observability;

namespace K2.Daemon.Cli;

/// <summary><c>k2 status</c>: one screen for a person, read from the running daemon's /status endpoint.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var url = new Option<string?>("--url") { Description = "Base URL of the daemon (default: http://<Observability:Listen>)" };
        var command = new Command("status", "Show the running daemon's feeds, Kafka, hot tier, offload and maintenance state") { url };
        command.SetAction(async (parse, cancellationToken) => await RunAsync(parse.GetValue(url), Console.Out, cancellationToken));
        return command;
    }

    internal static async Task<int> RunAsync(string? baseUrl, TextWriter output, CancellationToken cancellationToken)
    {
        if (baseUrl is null)
        {
            var configuration = DaemonConfiguration.Build();
            var listen = configuration[$"{ObservabilityOptions.SectionName}:{nameof(ObservabilityOptions.Listen)}"] ?? new ObservabilityOptions().Listen;
            baseUrl = $"http://{listen.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)}";
        }

        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(5) };
        StatusDocument? document;
        try
        {
            document = await http.GetFromJsonAsync<StatusDocument>("/status", JsonOptions, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            await Console.Error.WriteLineAsync($"k2 status: no K2 daemon answers at {baseUrl} ({ex.Message}). Start one with `./k2 run`, or pass --url.");
            return ExitCodes.Failure;
        }

        Render(document!, baseUrl, output);
        return ExitCodes.Ok;
    }

    internal static void Render(StatusDocument document, string baseUrl, TextWriter output)
    {
        output.WriteLine($"K2 daemon at {baseUrl} — {document.GeneratedAt:yyyy-MM-dd HH:mm:ss} UTC");
        foreach (var section in document.Sections)
        {
            output.WriteLine();
            output.WriteLine($"== {section.Title} ==");
            RenderTable(section, output);
            foreach (var note in section.Notes) { output.WriteLine($"  {note}"); }
        }
    }

    private static void RenderTable(StatusSection section, TextWriter output)
    {
        if (section.Rows.Count == 0)
        {
            output.WriteLine("  (nothing yet)");
            return;
        }

        var widths = section.Columns.Select((c, i) => Math.Max(c.Length, section.Rows.Max(r => i < r.Count ? r[i].Length : 0))).ToArray();
        string Line(IReadOnlyList<string> cells) =>
            "  " + string.Join("  ", widths.Select((w, i) => (i < cells.Count ? cells[i] : "").PadRight(w))).TrimEnd();
        output.WriteLine(Line(section.Columns));
        foreach (var row in section.Rows) { output.WriteLine(Line(row)); }
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
