using System.Text.Json;
using K2.Core.Trades;
using K2.Exchanges.Parsing;

namespace K2.Exchanges.Binance;

/// <summary>
/// One row of <c>GET /api/v3/historicalTrades</c>:
/// <c>{"id","price","qty","quoteQty","time","isBuyerMaker","isBestMatch"}</c>, with the same validation and side rule
/// as the <c>@trade</c> stream. The row names no symbol: it is the one asked for.
/// </summary>
internal sealed class BinanceRestTradeParser(SymbolTable symbols, WireSymbol symbol) : TradeFrameParser(symbols)
{
    /// <summary>
    /// The first trade id (<c>f</c>) of the first aggregate trade of an <c>aggTrades</c> answer, or null when it lists
    /// none (no trade since the time asked for).
    /// </summary>
    /// <exception cref="FrameRejectedException">The answer is not a list of aggregate trades.</exception>
    public static long? FirstTradeIdOfAggregate(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, isFinalBlock: true, state: default);
            reader.Read();
            Expect(ref reader, JsonTokenType.StartArray, "aggTrades answer");
            if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray) { return null; }
            Expect(ref reader, JsonTokenType.StartObject, "aggTrades[]");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isFirst = reader.ValueTextEquals("f"u8);
                MoveToValue(ref reader);
                if (isFirst) { return ReadInt64(ref reader, "f"); }
                reader.Skip();
            }

            FrameRejectedException.Throw(RejectReasons.MissingField, "required field f is missing");
            return null;
        }
        catch (JsonException ex)
        {
            throw new FrameRejectedException(RejectReasons.MalformedJson, $"not valid JSON ({ex.Message})");
        }
    }

    protected override FrameOutcome ParseObject(ref Utf8JsonReader reader, long receiveTimestampUs, List<ParsedTrade> output)
    {
        long? id = null, time = null;
        decimal? price = null, quantity = null;
        bool? buyerIsMaker = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8)) { MoveToValue(ref reader); id = ReadInt64(ref reader, "id"); }
            else if (reader.ValueTextEquals("price"u8)) { MoveToValue(ref reader); price = ReadDecimalString(ref reader, "price"); }
            else if (reader.ValueTextEquals("qty"u8)) { MoveToValue(ref reader); quantity = ReadDecimalString(ref reader, "qty"); }
            else if (reader.ValueTextEquals("time"u8)) { MoveToValue(ref reader); time = BinanceAdapter.ToMicros(ReadInt64(ref reader, "time")); }
            else if (reader.ValueTextEquals("isBuyerMaker"u8)) { MoveToValue(ref reader); buyerIsMaker = ReadBoolean(ref reader, "isBuyerMaker"); }
            else { MoveToValue(ref reader); reader.Skip(); }
        }

        var tradeId = Require(id, "id");
        var isBuyerMaker = Require(buyerIsMaker, "isBuyerMaker");
        var trade = new NormalizedTrade(
            Exchange.Binance, symbol.Wire, symbol.Canonical, IdText(tradeId), Require(price, "price"), Require(quantity, "qty"),
            BinanceAdapter.TakerSide(isBuyerMaker), Require(time, "time"), receiveTimestampUs, new TradeExtras(IsBuyerMaker: isBuyerMaker));
        output.Add(new ParsedTrade(trade, tradeId));
        return FrameOutcome.Trades();
    }
}
