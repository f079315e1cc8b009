using System.Text.Json;
using K2.Core.Trades;
using K2.Exchanges.Parsing;

namespace K2.Exchanges.Kraken;

/// <summary>
/// Kraken WebSocket v2: <c>trade</c> snapshots and updates (prices and quantities are JSON numbers,
/// read from the raw token into decimal), heartbeats, status, method replies. A <c>success:false</c>
/// reply is an error frame. Sides by <see cref="KrakenAdapter.TakerSide"/>.
/// </summary>
internal sealed class KrakenTradeParser(SymbolTable symbols) : TradeFrameParser(symbols)
{
    private enum Channel : byte { None, Trade, Other }

    protected override string NotAnObject(JsonTokenType token) =>
        token == JsonTokenType.StartArray ? "array frame: Kraken v1 format on the v2 parser" : base.NotAnObject(token);

    protected override FrameOutcome ParseObject(ref Utf8JsonReader reader, long receiveTimestampUs, List<ParsedTrade> output)
    {
        var start = output.Count;
        var channel = Channel.None;
        var snapshot = false;
        var hasMethod = false;
        bool? success = null;
        string? error = null;
        var dataSeen = false;
        var deferredData = default(Utf8JsonReader);
        var deferred = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("channel"u8))
            {
                MoveToValue(ref reader);
                Expect(ref reader, JsonTokenType.String, "channel");
                channel = reader.ValueTextEquals("trade"u8) ? Channel.Trade : Channel.Other;
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                MoveToValue(ref reader);
                Expect(ref reader, JsonTokenType.String, "type");
                snapshot = reader.ValueTextEquals("snapshot"u8);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                MoveToValue(ref reader);
                dataSeen = true;
                if (channel == Channel.Trade) { ReadTrades(ref reader, receiveTimestampUs, output); }
                else
                {
                    deferredData = reader;
                    deferred = channel == Channel.None;
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("method"u8))
            {
                hasMethod = true;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("success"u8))
            {
                MoveToValue(ref reader);
                success = ReadBoolean(ref reader, "success");
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                MoveToValue(ref reader);
                error = reader.TokenType == JsonTokenType.String ? reader.GetString() : "unreadable error";
                reader.Skip();
            }
            else
            {
                reader.Skip();
            }
        }

        if (success == false || error is not null) { return FrameOutcome.Rejected(RejectReasons.ErrorFrame, $"exchange error: {error}"); }
        if (channel == Channel.Trade)
        {
            if (!dataSeen) { FrameRejectedException.Throw(RejectReasons.MissingField, "required field data is missing"); }
            if (deferred) { ReadTrades(ref deferredData, receiveTimestampUs, output); }
            if (snapshot) { MarkSnapshot(output, start); }
            return FrameOutcome.Trades();
        }

        return channel == Channel.Other || hasMethod
            ? FrameOutcome.Control()
            : FrameOutcome.Rejected(RejectReasons.UnknownFrame, "neither a channel message nor a method reply");
    }

    private void ReadTrades(ref Utf8JsonReader reader, long receiveTimestampUs, List<ParsedTrade> output)
    {
        Expect(ref reader, JsonTokenType.StartArray, "data");
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            Expect(ref reader, JsonTokenType.StartObject, "data[]");
            output.Add(ReadTrade(ref reader, receiveTimestampUs));
        }
    }

    private ParsedTrade ReadTrade(ref Utf8JsonReader reader, long receiveTimestampUs)
    {
        WireSymbol? symbol = null;
        string? side = null, orderType = null;
        decimal? price = null, quantity = null;
        long? id = null, time = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("symbol"u8)) { MoveToValue(ref reader); symbol = ReadSymbol(ref reader, "symbol"); }
            else if (reader.ValueTextEquals("side"u8)) { MoveToValue(ref reader); side = ReadSide(ref reader); }
            else if (reader.ValueTextEquals("price"u8)) { MoveToValue(ref reader); price = ReadDecimalNumber(ref reader, "price"); }
            else if (reader.ValueTextEquals("qty"u8)) { MoveToValue(ref reader); quantity = ReadDecimalNumber(ref reader, "qty"); }
            else if (reader.ValueTextEquals("trade_id"u8)) { MoveToValue(ref reader); id = ReadInt64(ref reader, "trade_id"); }
            else if (reader.ValueTextEquals("timestamp"u8)) { MoveToValue(ref reader); time = ReadRfc3339(ref reader, "timestamp"); }
            else if (reader.ValueTextEquals("ord_type"u8)) { MoveToValue(ref reader); orderType = ReadOrderType(ref reader); }
            else { MoveToValue(ref reader); reader.Skip(); }
        }

        var wire = Require(symbol, "symbol");
        var rawSide = Require(side, "side");
        var tradeId = Require(id, "trade_id");
        var trade = new NormalizedTrade(
            Exchange.Kraken, wire.Wire, wire.Canonical, IdText(tradeId), Require(price, "price"), Require(quantity, "qty"),
            KrakenAdapter.TakerSide(rawSide), Require(time, "timestamp"), receiveTimestampUs,
            new TradeExtras(RawSide: rawSide, OrderType: orderType));
        return new ParsedTrade(trade, tradeId);
    }

    private static string ReadSide(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.String, "side");
        if (reader.ValueTextEquals("buy"u8)) { return "buy"; }
        if (reader.ValueTextEquals("sell"u8)) { return "sell"; }
        FrameRejectedException.Throw(RejectReasons.BadSide, $"side '{reader.GetString()}' is neither buy nor sell");
        return string.Empty;
    }

    private static string ReadOrderType(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.String, "ord_type");
        return reader.ValueTextEquals("limit"u8) ? "limit" : reader.ValueTextEquals("market"u8) ? "market" : reader.GetString()!;
    }

    private static void MarkSnapshot(List<ParsedTrade> output, int start)
    {
        for (var i = start; i < output.Count; i++)
        {
            var parsed = output[i];
            if (!parsed.Trade.Extras.IsSnapshot)
            {
                output[i] = parsed with { Trade = parsed.Trade with { Extras = parsed.Trade.Extras with { IsSnapshot = true } } };
            }
        }
    }
}
