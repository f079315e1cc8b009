using System.Text.Json;
using K2.Core.Trades;
using K2.Exchanges.Parsing;

namespace K2.Exchanges.Coinbase;

/// <summary>
/// Coinbase Advanced Trade: <c>market_trades</c> snapshots and updates (batches newest first, possibly
/// mixing products; emitted oldest first), heartbeats and subscriptions (control, but their
/// <c>sequence_num</c> is reported for drop detection) and <c>{"type":"error"}</c> frames. Sides by
/// <see cref="CoinbaseAdapter.TakerSide"/>.
/// </summary>
internal class CoinbaseTradeParser(SymbolTable symbols, CoinbaseSideMeaning sideMeaning) : TradeFrameParser(symbols)
{
    private enum Channel : byte { None, MarketTrades, Other }

    protected override FrameOutcome ParseObject(ref Utf8JsonReader reader, long receiveTimestampUs, List<ParsedTrade> output)
    {
        var start = output.Count;
        var channel = Channel.None;
        long? sequence = null;
        var isError = false;
        string? message = null;
        var eventsSeen = false;
        var deferredEvents = default(Utf8JsonReader);
        var deferred = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("channel"u8))
            {
                MoveToValue(ref reader);
                Expect(ref reader, JsonTokenType.String, "channel");
                channel = reader.ValueTextEquals("market_trades"u8) ? Channel.MarketTrades : Channel.Other;
            }
            else if (reader.ValueTextEquals("sequence_num"u8))
            {
                MoveToValue(ref reader);
                sequence = ReadInt64(ref reader, "sequence_num");
                SequenceSeen = sequence;
            }
            else if (reader.ValueTextEquals("events"u8))
            {
                MoveToValue(ref reader);
                eventsSeen = true;
                if (channel == Channel.MarketTrades) { ReadEvents(ref reader, receiveTimestampUs, output); }
                else
                {
                    deferredEvents = reader;
                    deferred = channel == Channel.None;
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                MoveToValue(ref reader);
                isError = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("error"u8);
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                MoveToValue(ref reader);
                message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else
            {
                MoveToValue(ref reader);
                reader.Skip();
            }
        }

        if (isError) { return FrameOutcome.Rejected(RejectReasons.ErrorFrame, $"exchange error: {message}"); }
        switch (channel)
        {
            case Channel.None:
                return FrameOutcome.Rejected(RejectReasons.UnknownFrame, "no channel");
            case Channel.Other:
                return FrameOutcome.Control(sequence);
        }

        if (!eventsSeen) { FrameRejectedException.Throw(RejectReasons.MissingField, "required field events is missing"); }
        if (deferred) { ReadEvents(ref deferredEvents, receiveTimestampUs, output); }
        FinishBatch(output, start, sequence);
        return FrameOutcome.Trades(sequence);
    }

    private void ReadEvents(ref Utf8JsonReader reader, long receiveTimestampUs, List<ParsedTrade> output)
    {
        Expect(ref reader, JsonTokenType.StartArray, "events");
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            Expect(ref reader, JsonTokenType.StartObject, "events[]");
            var eventStart = output.Count;
            var snapshot = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    MoveToValue(ref reader);
                    Expect(ref reader, JsonTokenType.String, "events[].type");
                    snapshot = reader.ValueTextEquals("snapshot"u8);
                }
                else if (reader.ValueTextEquals("trades"u8))
                {
                    MoveToValue(ref reader);
                    Expect(ref reader, JsonTokenType.StartArray, "trades");
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        Expect(ref reader, JsonTokenType.StartObject, "trades[]");
                        output.Add(ReadTrade(ref reader, receiveTimestampUs));
                    }
                }
                else
                {
                    MoveToValue(ref reader);
                    reader.Skip();
                }
            }

            if (snapshot) { SetExtras(output, eventStart, static (extras, _) => extras with { IsSnapshot = true }, 0L); }
        }
    }

    /// <summary>One trade object, as the WebSocket's <c>trades[]</c> and the REST answer's <c>trades[]</c> both carry it.</summary>
    private protected ParsedTrade ReadTrade(ref Utf8JsonReader reader, long receiveTimestampUs)
    {
        WireSymbol? symbol = null;
        string? side = null;
        decimal? price = null, size = null;
        long? id = null, time = null;
        string? idText = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("trade_id"u8))
            {
                MoveToValue(ref reader);
                Expect(ref reader, JsonTokenType.String, "trade_id");
                id = ParseTradeIdText(reader.ValueSpan, "trade_id");
                idText = IdText(id.Value);
            }
            else if (reader.ValueTextEquals("product_id"u8)) { MoveToValue(ref reader); symbol = ReadSymbol(ref reader, "product_id"); }
            else if (reader.ValueTextEquals("price"u8)) { MoveToValue(ref reader); price = ReadDecimalString(ref reader, "price"); }
            else if (reader.ValueTextEquals("size"u8)) { MoveToValue(ref reader); size = ReadDecimalString(ref reader, "size"); }
            else if (reader.ValueTextEquals("side"u8)) { MoveToValue(ref reader); side = ReadSide(ref reader); }
            else if (reader.ValueTextEquals("time"u8)) { MoveToValue(ref reader); time = ReadRfc3339(ref reader, "time"); }
            else { MoveToValue(ref reader); reader.Skip(); }
        }

        var wire = Require(symbol, "product_id");
        var rawSide = Require(side, "side");
        var tradeId = Require(id, "trade_id");
        var trade = new NormalizedTrade(
            Exchange.Coinbase, wire.Wire, wire.Canonical, idText!, Require(price, "price"), Require(size, "size"),
            CoinbaseAdapter.TakerSide(ReferenceEquals(rawSide, "BUY"), sideMeaning), Require(time, "time"), receiveTimestampUs,
            new TradeExtras(RawSide: rawSide));
        return new ParsedTrade(trade, tradeId);
    }

    private static string ReadSide(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.String, "side");
        if (reader.ValueTextEquals("BUY"u8)) { return "BUY"; }
        if (reader.ValueTextEquals("SELL"u8)) { return "SELL"; }
        FrameRejectedException.Throw(RejectReasons.BadSide, $"side '{reader.GetString()}' is neither BUY nor SELL");
        return string.Empty;
    }

    /// <summary>Batches list newest first; reversing the frame's range makes each product ascending by id.</summary>
    private static void FinishBatch(List<ParsedTrade> output, int start, long? sequence)
    {
        output.Reverse(start, output.Count - start);
        if (sequence is { } seq) { SetExtras(output, start, static (extras, s) => extras with { SequenceNumber = s }, seq); }
    }

    private static void SetExtras(List<ParsedTrade> output, int start, Func<TradeExtras, long, TradeExtras> change, long argument)
    {
        for (var i = start; i < output.Count; i++)
        {
            var parsed = output[i];
            output[i] = parsed with { Trade = parsed.Trade with { Extras = change(parsed.Trade.Extras, argument) } };
        }
    }
}
