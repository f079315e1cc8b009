using System.Text.Json;
using K2.Core.Trades;
using K2.Exchanges.Parsing;

namespace K2.Exchanges.Binance;

/// <summary>
/// Binance Spot <c>@trade</c> events, bare or wrapped in the combined stream's <c>{"stream","data"}</c>,
/// plus <c>{"result","id"}</c> acks, <c>{"error"}</c> replies and <c>serverShutdown</c>. Sides by
/// <see cref="BinanceAdapter.TakerSide"/>.
/// </summary>
internal sealed class BinanceTradeParser(SymbolTable symbols) : TradeFrameParser(symbols)
{
    private enum EventType : byte { None, Trade, ServerShutdown, Other }

    private struct Event
    {
        public EventType Type;
        public long? EventTime;
        public WireSymbol? Symbol;
        public long? TradeId;
        public decimal? Price;
        public decimal? Quantity;
        public long? TradeTime;
        public bool? BuyerIsMaker;
    }

    protected override FrameOutcome ParseObject(ref Utf8JsonReader reader, long receiveTimestampUs, List<ParsedTrade> output)
    {
        var ev = default(Event);
        var acknowledged = false;
        string? error = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("data"u8))
            {
                MoveToValue(ref reader);
                if (reader.TokenType == JsonTokenType.Null) { FrameRejectedException.Throw(RejectReasons.MissingField, "combined-stream data is null"); }
                Expect(ref reader, JsonTokenType.StartObject, "data");
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (!TryReadEventField(ref reader, ref ev)) { reader.Skip(); }
                }
            }
            else if (reader.ValueTextEquals("result"u8))
            {
                acknowledged = true;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                MoveToValue(ref reader);
                error = ReadError(ref reader);
            }
            else if (!TryReadEventField(ref reader, ref ev))
            {
                reader.Skip();
            }
        }

        if (error is not null) { return FrameOutcome.Rejected(RejectReasons.ErrorFrame, error); }
        switch (ev.Type)
        {
            case EventType.Trade:
                output.Add(ToTrade(in ev, receiveTimestampUs));
                return FrameOutcome.Trades();
            case EventType.ServerShutdown:
                return new FrameOutcome(FrameKind.ServerShutdown);
            case EventType.Other:
                return FrameOutcome.Rejected(RejectReasons.UnknownFrame, "event type is not trade");
        }

        if (acknowledged) { return FrameOutcome.Control(); }
        if (ev.Symbol is not null || ev.TradeId is not null) { FrameRejectedException.Throw(RejectReasons.MissingField, "required field e is missing"); }
        return FrameOutcome.Rejected(RejectReasons.UnknownFrame, "neither a trade event, an ack nor an error");
    }

    private bool TryReadEventField(ref Utf8JsonReader reader, ref Event ev)
    {
        if (reader.ValueSpan.Length != 1 || reader.ValueIsEscaped) { return false; }
        var name = reader.ValueSpan[0];
        MoveToValue(ref reader);
        switch (name)
        {
            case (byte)'e':
                Expect(ref reader, JsonTokenType.String, "e");
                ev.Type = reader.ValueTextEquals("trade"u8) ? EventType.Trade : reader.ValueTextEquals("serverShutdown"u8) ? EventType.ServerShutdown : EventType.Other;
                return true;
            case (byte)'E': ev.EventTime = BinanceAdapter.ToMicros(ReadInt64(ref reader, "E")); return true;
            case (byte)'s': ev.Symbol = ReadSymbol(ref reader, "s"); return true;
            case (byte)'t': ev.TradeId = ReadInt64(ref reader, "t"); return true;
            case (byte)'p': ev.Price = ReadDecimalString(ref reader, "p"); return true;
            case (byte)'q': ev.Quantity = ReadDecimalString(ref reader, "q"); return true;
            case (byte)'T': ev.TradeTime = BinanceAdapter.ToMicros(ReadInt64(ref reader, "T")); return true;
            case (byte)'m': ev.BuyerIsMaker = ReadBoolean(ref reader, "m"); return true;
            default:
                reader.Skip();
                return true;
        }
    }

    private ParsedTrade ToTrade(in Event ev, long receiveTimestampUs)
    {
        var symbol = Require(ev.Symbol, "s");
        var id = Require(ev.TradeId, "t");
        var buyerIsMaker = Require(ev.BuyerIsMaker, "m");
        var trade = new NormalizedTrade(
            Exchange.Binance, symbol.Wire, symbol.Canonical, IdText(id), Require(ev.Price, "p"), Require(ev.Quantity, "q"),
            BinanceAdapter.TakerSide(buyerIsMaker), Require(ev.TradeTime, "T"), receiveTimestampUs,
            new TradeExtras(IsBuyerMaker: buyerIsMaker, EventTimestampUs: ev.EventTime));
        return new ParsedTrade(trade, id);
    }

    private static string ReadError(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : reader.TokenType.ToString();
            reader.Skip();
            return $"exchange error: {text}";
        }

        string? code = null, message = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isCode = reader.ValueTextEquals("code"u8);
            var isMessage = reader.ValueTextEquals("msg"u8);
            MoveToValue(ref reader);
            if (isCode && reader.TokenType == JsonTokenType.Number) { code = System.Text.Encoding.UTF8.GetString(reader.ValueSpan); }
            else if (isMessage && reader.TokenType == JsonTokenType.String) { message = reader.GetString(); }
            else { reader.Skip(); }
        }

        return $"exchange error {code}: {message}";
    }
}
