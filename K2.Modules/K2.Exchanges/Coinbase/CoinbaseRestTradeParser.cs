using System.Text.Json;
using K2.Exchanges.Parsing;

namespace K2.Exchanges.Coinbase;

/// <summary>
/// One row of the public market-trades answer (<c>{"trades":[…],"best_bid","best_ask"}</c>): the same trade object
/// the WebSocket sends, read by the same code, so the side rule and the validation are the WebSocket's.
/// </summary>
internal sealed class CoinbaseRestTradeParser(SymbolTable symbols, CoinbaseSideMeaning sideMeaning) : CoinbaseTradeParser(symbols, sideMeaning)
{
    /// <summary>Moves the reader of a whole answer onto its <c>trades</c> array.</summary>
    public static void LocateRows(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "answer");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isTrades = reader.ValueTextEquals("trades"u8);
            MoveToValue(ref reader);
            if (isTrades) { return; }
            reader.Skip();
        }

        FrameRejectedException.Throw(RejectReasons.MissingField, "required field trades is missing");
    }

    protected override FrameOutcome ParseObject(ref Utf8JsonReader reader, long receiveTimestampUs, List<ParsedTrade> output)
    {
        output.Add(ReadTrade(ref reader, receiveTimestampUs));
        return FrameOutcome.Trades();
    }
}
