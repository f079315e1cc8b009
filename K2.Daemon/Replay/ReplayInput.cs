using K2.Core.Trades;

namespace K2.Daemon.Replay;

/// <summary>One <c>--input &lt;exchange&gt;:&lt;file&gt;</c> of <c>k2 replay</c>.</summary>
internal sealed record ReplayInput(Exchange Exchange, string Path)
{
    public static bool TryParse(string text, out ReplayInput input, out string error)
    {
        input = null!;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = $"--input '{text}' must be <exchange>:<file>, e.g. binance:captures/binance.jsonl";
            return false;
        }

        if (!ExchangeNames.TryParse(text[..colon], out var exchange))
        {
            error = $"--input '{text}': unknown exchange '{text[..colon]}'; allowed: {ExchangeNames.Allowed}";
            return false;
        }

        var path = System.IO.Path.GetFullPath(text[(colon + 1)..]);
        if (!File.Exists(path))
        {
            error = $"--input '{text}': file {path} does not exist";
            return false;
        }

        input = new ReplayInput(exchange, path);
        error = "";
        return true;
    }
}
