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
