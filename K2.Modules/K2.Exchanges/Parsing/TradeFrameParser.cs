using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using K2.Core.Trades;

namespace K2.Exchanges.Parsing;

/// <summary>
/// Shared handling of every exchange's frames and REST trade rows: one <see cref="Utf8JsonReader"/> over the whole
/// frame (or row), all-or-nothing output (a bad trade rejects its whole frame), and strict token readers that turn
/// wrong types and out-of-range values into reject reasons instead of exceptions escaping the receive loop. WebSocket
/// and REST trades pass the same readers, so both are validated alike.
/// </summary>
internal abstract class TradeFrameParser(SymbolTable symbols) : ITradeFrameParser
{
    protected SymbolTable Symbols { get; } = symbols;

    public Exchange Exchange => Symbols.Exchange;

    /// <summary>A sequence number read before the frame turned out bad: the frame did arrive, so no drop is inferred.</summary>
    protected long? SequenceSeen { get; set; }

    public FrameOutcome Parse(ReadOnlySpan<byte> frame, long receiveTimestampUs, List<ParsedTrade> output)
    {
        if (frame.Trim(" \t\r\n"u8).IsEmpty) { return FrameOutcome.Rejected(RejectReasons.Empty, "empty frame"); }
        var start = output.Count;
        SequenceSeen = null;
        try
        {
            var reader = new Utf8JsonReader(frame, isFinalBlock: true, state: default);
            reader.Read();
            var outcome = ParseRoot(ref reader, receiveTimestampUs, output);
            if (reader.Read()) { FrameRejectedException.Throw(RejectReasons.MalformedJson, "content after the JSON object"); }
            return outcome;
        }
        catch (FrameRejectedException ex)
        {
            output.RemoveRange(start, output.Count - start);
            return FrameOutcome.Rejected(ex.Reason, ex.Message) with { SequenceNumber = SequenceSeen };
        }
        catch (JsonException ex)
        {
            output.RemoveRange(start, output.Count - start);
            return FrameOutcome.Rejected(RejectReasons.MalformedJson, $"not valid JSON ({ex.Message})") with { SequenceNumber = SequenceSeen };
        }
    }

    /// <summary>Parses the top-level value; the reader is on its first token. Frames are objects unless a parser says otherwise.</summary>
    protected virtual FrameOutcome ParseRoot(ref Utf8JsonReader reader, long receiveTimestampUs, List<ParsedTrade> output)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            FrameRejectedException.Throw(RejectReasons.UnknownFrame, NotAnObject(reader.TokenType));
        }

        return ParseObject(ref reader, receiveTimestampUs, output);
    }

    /// <summary>Parses the top-level object; the reader is on its <see cref="JsonTokenType.StartObject"/>.</summary>
    protected abstract FrameOutcome ParseObject(ref Utf8JsonReader reader, long receiveTimestampUs, List<ParsedTrade> output);

    protected virtual string NotAnObject(JsonTokenType token) => $"expected a JSON object, got {token}";

    protected static void Expect(ref Utf8JsonReader reader, JsonTokenType expected, string field)
    {
        if (reader.TokenType != expected)
        {
            FrameRejectedException.Throw(RejectReasons.WrongType, $"{field} must be {Describe(expected)}, got {Describe(reader.TokenType)}");
        }
    }

    /// <summary>A decimal sent as a JSON string (Binance, Coinbase).</summary>
    protected static decimal ReadDecimalString(ref Utf8JsonReader reader, string field)
    {
        Expect(ref reader, JsonTokenType.String, field);
        if (reader.ValueIsEscaped) { FrameRejectedException.Throw(RejectReasons.WrongType, $"{field} is not a decimal"); }
        return ParsePositiveDecimal(reader.ValueSpan, field);
    }

    /// <summary>A decimal sent as a JSON number (Kraken v2): the raw token bytes, never a double.</summary>
    protected static decimal ReadDecimalNumber(ref Utf8JsonReader reader, string field)
    {
        Expect(ref reader, JsonTokenType.Number, field);
        return ParsePositiveDecimal(reader.ValueSpan, field);
    }

    protected static decimal ParsePositiveDecimal(ReadOnlySpan<byte> text, string field)
    {
        if (text.IndexOfAny("eE"u8) >= 0)
        {
            FrameRejectedException.Throw(RejectReasons.OutOfRange, $"{field} '{Show(text)}' uses exponent notation, which the exchange never sends");
        }

        if (!Utf8Parser.TryParse(text, out decimal value, out var consumed) || consumed != text.Length)
        {
            var numeric = text.Length > 0 && text.IndexOfAnyExcept("-0123456789."u8) < 0;
            FrameRejectedException.Throw(numeric ? RejectReasons.OutOfRange : RejectReasons.WrongType,
                numeric ? $"{field} '{Show(text)}' is outside the decimal range" : $"{field} '{Show(text)}' is not a decimal");
        }

        if (value <= 0) { FrameRejectedException.Throw(RejectReasons.NonPositive, $"{field} {Show(text)} must be > 0"); }
        return value;
    }

    protected static long ReadInt64(ref Utf8JsonReader reader, string field)
    {
        Expect(ref reader, JsonTokenType.Number, field);
        if (!reader.TryGetInt64(out var value))
        {
            var integral = reader.ValueSpan.IndexOfAnyExcept("-0123456789"u8) < 0;
            FrameRejectedException.Throw(integral ? RejectReasons.OutOfRange : RejectReasons.WrongType,
                integral ? $"{field} {Show(reader.ValueSpan)} overflows a 64-bit integer" : $"{field} {Show(reader.ValueSpan)} is not an integer");
        }

        return value;
    }

    /// <summary>A trade id that must be a positive integer, sent as digits in a JSON string (Coinbase).</summary>
    protected static long ParseTradeIdText(ReadOnlySpan<byte> text, string field)
    {
        if (text.IsEmpty || text.IndexOfAnyExcept("0123456789"u8) >= 0)
        {
            FrameRejectedException.Throw(RejectReasons.WrongType, $"{field} '{Show(text)}' is not a numeric id");
        }

        if (!Utf8Parser.TryParse(text, out long value, out var consumed) || consumed != text.Length)
        {
            FrameRejectedException.Throw(RejectReasons.OutOfRange, $"{field} {Show(text)} overflows a 64-bit integer");
        }

        return value;
    }

    protected static bool ReadBoolean(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
        {
            FrameRejectedException.Throw(RejectReasons.WrongType, $"{field} must be a boolean, got {Describe(reader.TokenType)}");
        }

        return reader.TokenType == JsonTokenType.True;
    }

    protected WireSymbol ReadSymbol(ref Utf8JsonReader reader, string field)
    {
        Expect(ref reader, JsonTokenType.String, field);
        WireSymbol? symbol = null;
        if (reader.ValueIsEscaped || !Symbols.TryFind(reader.ValueSpan, out symbol))
        {
            FrameRejectedException.Throw(RejectReasons.UnknownSymbol,
                $"{field} '{reader.GetString()}' is not a configured {Exchange.ToWire()} instrument");
        }

        return symbol!;
    }

    protected static long ReadRfc3339(ref Utf8JsonReader reader, string field)
    {
        Expect(ref reader, JsonTokenType.String, field);
        long micros = 0;
        if (reader.ValueIsEscaped || !Rfc3339.TryParseMicros(reader.ValueSpan, out micros))
        {
            FrameRejectedException.Throw(RejectReasons.BadTimestamp, $"{field} '{reader.GetString()}' is not an RFC 3339 time");
        }

        return micros;
    }

    protected static void MoveToValue(ref Utf8JsonReader reader) => reader.Read();

    protected static T Require<T>(T? value, string field)
        where T : struct
    {
        if (value is null) { FrameRejectedException.Throw(RejectReasons.MissingField, $"required field {field} is missing"); }
        return value.Value;
    }

    protected static T Require<T>(T? value, string field)
        where T : class
    {
        if (value is null) { FrameRejectedException.Throw(RejectReasons.MissingField, $"required field {field} is missing"); }
        return value;
    }

    protected static string IdText(long id) => id.ToString(CultureInfo.InvariantCulture);

    protected static string Show(ReadOnlySpan<byte> text) => Encoding.UTF8.GetString(text.Length > 64 ? text[..64] : text);

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => token.ToString(),
    };
}
