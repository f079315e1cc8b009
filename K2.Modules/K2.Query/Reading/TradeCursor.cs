using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace K2.Query.Reading;

/// <summary>
/// Where the next trades page starts: after the last trade of the previous one, in the order (exchange time, exchange,
/// trade id), on the cold snapshot the first page pinned. Opaque to clients (base64url JSON); it names the query it
/// belongs to, so a cursor used with other parameters is refused. It also carries how much exchange time the previous page
/// spanned, where the search for the next page's end starts (<see cref="TradePages"/>).
/// </summary>
internal sealed record TradeCursor(
    [property: JsonPropertyName("q")] string Query,
    [property: JsonPropertyName("s")] long SnapshotId,
    [property: JsonPropertyName("t")] long ExchangeTsMicros,
    [property: JsonPropertyName("e")] string Exchange,
    [property: JsonPropertyName("i")] string TradeId,
    [property: JsonPropertyName("w")] long PageSpanMicros = 0)
{
    [JsonIgnore]
    public TradeKey Key => new(ExchangeTsMicros, Exchange, TradeId);

    public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this));

    public static TradeCursor Decode(string text, string query)
    {
        TradeCursor? cursor = null;
        try
        {
            cursor = JsonSerializer.Deserialize<TradeCursor>(Base64Url.DecodeFromChars(text));
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
        }

        if (cursor is null || cursor.Exchange is null || cursor.TradeId is null)
        {
            throw new BadParameterException("cursor", "is not a cursor this API issued; pass next_cursor of the previous page unchanged");
        }

        return cursor.Query == query
            ? cursor
            : throw new BadParameterException("cursor", "belongs to a request with other exchange, symbol, from or to; repeat those with the cursor");
    }

    /// <summary>A short digest of the parameters a cursor is bound to.</summary>
    public static string QueryOf(params object?[] parts)
    {
        var text = string.Join('|', parts.Select(p => Convert.ToString(p, System.Globalization.CultureInfo.InvariantCulture)));
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }
}
