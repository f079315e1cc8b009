using System.Buffers.Text;
using System.Text.Json;
using K2.Core.Trades;
using K2.Exchanges.Parsing;

namespace K2.Exchanges.Kraken;

/// <summary>
/// One row of <c>GET /0/public/Trades</c>: <c>[price, volume, time, side, order type, misc, trade_id]</c> — price and
/// volume as decimal strings, time as seconds with a fraction (kept exactly, truncated to µs), side <c>b</c>/<c>s</c>
/// of the taker — with the same validation as the WebSocket's trades. The row names no symbol: it is the one asked for.
/// </summary>
internal sealed class KrakenRestTradeParser(SymbolTable symbols, WireSymbol symbol) : TradeFrameParser(symbols)
{
    private const long LastSecondOf9999 = 253_402_300_799;

    /// <summary>Moves the reader of a whole answer (<c>{"error":[…],"result":{"&lt;pair&gt;":[rows],"last":…}}</c>) onto the rows.</summary>
    public static void LocateRows(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "answer");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("error"u8))
            {
                MoveToValue(ref reader);
                Expect(ref reader, JsonTokenType.StartArray, "error");
                var errors = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) { errors.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : reader.TokenType.ToString()); }
                if (errors.Count > 0) { FrameRejectedException.Throw(RejectReasons.ErrorFrame, $"exchange error: {string.Join("; ", errors)}"); }
            }
            else if (reader.ValueTextEquals("result"u8))
            {
                MoveToValue(ref reader);
                Expect(ref reader, JsonTokenType.StartObject, "result");
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    MoveToValue(ref reader);
                    if (reader.TokenType == JsonTokenType.StartArray) { return; }
                    reader.Skip();
                }

                FrameRejectedException.Throw(RejectReasons.MissingField, "result holds no trades");
            }
            else
            {
                MoveToValue(ref reader);
                reader.Skip();
            }
        }

        FrameRejectedException.Throw(RejectReasons.MissingField, "required field result is missing");
    }

    protected override FrameOutcome ParseRoot(ref Utf8JsonReader reader, long receiveTimestampUs, List<ParsedTrade> output)
    {
        if (reader.TokenType != JsonTokenType.StartArray) { return base.ParseRoot(ref reader, receiveTimestampUs, output); }
        MoveToValue(ref reader);
        var price = ReadDecimalString(ref reader, "price");
        MoveToValue(ref reader);
        var volume = ReadDecimalString(ref reader, "volume");
        MoveToValue(ref reader);
        var time = ReadSecondsAsMicros(ref reader, "time");
        MoveToValue(ref reader);
        var rawSide = ReadSide(ref reader);
        MoveToValue(ref reader);
        Expect(ref reader, JsonTokenType.String, "order type");
        var orderType = reader.ValueTextEquals("m"u8) ? "market" : reader.ValueTextEquals("l"u8) ? "limit" : reader.GetString()!;
        MoveToValue(ref reader);
        reader.Skip();
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray) { FrameRejectedException.Throw(RejectReasons.MissingField, "required field trade_id is missing"); }
        var id = ReadInt64(ref reader, "trade_id");
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) { reader.Skip(); }

        var trade = new NormalizedTrade(
            Exchange.Kraken, symbol.Wire, symbol.Canonical, IdText(id), price, volume, KrakenAdapter.TakerSide(rawSide), time, receiveTimestampUs,
            new TradeExtras(RawSide: rawSide, OrderType: orderType));
        output.Add(new ParsedTrade(trade, id));
        return FrameOutcome.Trades();
    }

    protected override FrameOutcome ParseObject(ref Utf8JsonReader reader, long receiveTimestampUs, List<ParsedTrade> output) =>
        FrameOutcome.Rejected(RejectReasons.WrongType, "a trade row must be an array, got an object");

    private static string ReadSide(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.String, "side");
        if (reader.ValueTextEquals("b"u8)) { return "buy"; }
        if (reader.ValueTextEquals("s"u8)) { return "sell"; }
        FrameRejectedException.Throw(RejectReasons.BadSide, $"side '{reader.GetString()}' is neither b nor s");
        return string.Empty;
    }

    /// <summary>Seconds since the epoch with a fraction (<c>1688669597.8277369</c>) to µs, from the raw token, never via double.</summary>
    private static long ReadSecondsAsMicros(ref Utf8JsonReader reader, string field)
    {
        Expect(ref reader, JsonTokenType.Number, field);
        var text = reader.ValueSpan;
        var dot = text.IndexOf((byte)'.');
        var whole = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? default : text[(dot + 1)..];
        if (!Utf8Parser.TryParse(whole, out long seconds, out var used) || used != whole.Length || seconds < 0 || seconds > LastSecondOf9999
            || fraction.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
        {
            FrameRejectedException.Throw(RejectReasons.BadTimestamp, $"{field} {Show(text)} is not a time in seconds since the epoch");
        }

        long micros = 0;
        for (var i = 0; i < 6; i++) { micros = micros * 10 + (i < fraction.Length ? fraction[i] - '0' : 0); }
        return seconds * 1_000_000 + micros;
    }
}
