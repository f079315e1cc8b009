using System.Globalization;
using K2.Core.Time;

namespace K2.Query.Reading;

/// <summary><c>from</c>/<c>to</c>: ISO-8601 (<c>2025-01-02T03:04:05.123456Z</c>, an offset, or a date) or Unix microseconds.</summary>
internal static class TimeParameter
{
    public const string Allowed = "an ISO-8601 time with Z or an offset (2025-01-02T03:04:05.123456Z), a date (2025-01-02) or Unix microseconds";

    public static long? Parse(string name, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) { return null; }
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var micros)) { return micros; }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return UnixMicros.FromDateTimeOffset(new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        }

        // A time without a zone would be read in the server's zone: require one.
        var hasZone = text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && (text[^6] is '+' or '-') && text[^3] == ':');
        if (hasZone && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)) { return UnixMicros.FromDateTimeOffset(time); }
        throw new BadParameterException(name, $"'{text}' is not a time; use {Allowed}");
    }

    /// <summary>ISO-8601 with microseconds and Z, as ClickHouse writes them for the API.</summary>
    public static string Iso(long micros) =>
        UnixMicros.ToDateTimeOffset(micros).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
