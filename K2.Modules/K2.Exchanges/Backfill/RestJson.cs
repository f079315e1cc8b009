using System.Globalization;
using System.Text.Json;
using K2.Exchanges.Parsing;

namespace K2.Exchanges.Backfill;

/// <summary>Reading REST responses: decimals from the raw text (string or number), never via double.</summary>
internal static class RestJson
{
    public static decimal Decimal(JsonElement element)
    {
        var text = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
        return decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
    }

    public static long Int64(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? long.Parse(element.GetString()!, CultureInfo.InvariantCulture) : element.GetInt64();

    public static long Rfc3339Micros(JsonElement element) =>
        Rfc3339.TryParseMicros(System.Text.Encoding.UTF8.GetBytes(element.GetString()!), out var micros)
            ? micros
            : throw new FormatException($"'{element.GetString()}' is not an RFC 3339 time");

    /// <summary>Kraken's <c>1771338606.925648</c> seconds to µs, exactly.</summary>
    public static long SecondsToMicros(JsonElement element) => (long)(Decimal(element) * 1_000_000m);
}
