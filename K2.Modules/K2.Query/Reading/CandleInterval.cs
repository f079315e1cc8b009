using System.Globalization;
using System.Text.RegularExpressions;
using StoredInterval = K2.ClickHouse.Schema.CandleInterval;

namespace K2.Query.Reading;

/// <summary>
/// A requested candle interval: one of the six stored ones, or any whole number of minutes (<c>3m</c>, <c>4h</c>,
/// <c>2d</c>, <c>1w</c>) rolled up from the longest stored interval that divides it. Windows are aligned to the Unix
/// epoch in UTC, as the stored ones are (so a week starts on a Thursday).
/// </summary>
internal sealed partial record RequestedInterval(string Name, long Seconds, StoredInterval Source)
{
    public const string Allowed = "1m, 5m, 15m, 30m, 1h, 1d (stored) or any whole number of minutes, hours, days or weeks such as 3m, 4h, 2d, 1w (rolled up)";

    private const long MaxSeconds = 366L * 86400;

    public bool IsStored => Source.Length.TotalSeconds == Seconds;

    public long Micros => Seconds * 1_000_000;

    public static RequestedInterval Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) { throw new BadParameterException("interval", $"is required; allowed: {Allowed}"); }
        var match = Pattern().Match(text);
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count == 0)
        {
            throw new BadParameterException("interval", $"'{text}' is not an interval; allowed: {Allowed}");
        }

        var unit = match.Groups[2].Value switch { "m" => 60L, "h" => 3600L, "d" => 86400L, _ => 7 * 86400L };
        if (count > MaxSeconds / unit) { throw new BadParameterException("interval", $"'{text}' is longer than 366 days; allowed: {Allowed}"); }
        var seconds = count * unit;
        var source = StoredInterval.All.Where(i => seconds % (long)i.Length.TotalSeconds == 0).MaxBy(i => i.Length)!;
        return new RequestedInterval(text, seconds, source);
    }

    /// <summary>The start of the window holding <paramref name="micros"/>.</summary>
    public long WindowStart(long micros) => FloorDiv(micros, Micros) * Micros;

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : ((a + 1) / b) - 1;

    [GeneratedRegex("^([0-9]{1,9})([mhdw])$")]
    private static partial Regex Pattern();
}
