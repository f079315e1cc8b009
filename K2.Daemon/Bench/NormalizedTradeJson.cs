using System.Buffers;
using System.Text.Json;
using K2.Core.Trades;

namespace K2.Daemon.Bench;

/// <summary>
/// A normalized trade as the Kafka message of docs/normalized-trade-message.md (schema_version 1), for
/// synthetic load and tests of the consumers; the daemon's own producer lives in the Kafka module.
/// </summary>
internal static class NormalizedTradeJson
{
    public static byte[] Encode(NormalizedTrade trade)
    {
        var buffer = new ArrayBufferWriter<byte>(384);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("schema_version", 1);
            json.WriteString("exchange", trade.Exchange.ToWire());
            json.WriteString("symbol", trade.Symbol);
            json.WriteString("canonical_symbol", trade.CanonicalSymbol);
            json.WriteString("trade_id", trade.TradeId);
            json.WriteString("price", DecimalText.Format(trade.Price));
            json.WriteString("quantity", DecimalText.Format(trade.Quantity));
            json.WriteString("side", trade.Side.ToWire());
            json.WriteNumber("exchange_ts_us", trade.ExchangeTimestampUs);
            json.WriteNumber("receive_ts_us", trade.ReceiveTimestampUs);
            WriteNullable(json, "raw_side", trade.Extras.RawSide);
            if (trade.Extras.IsBuyerMaker is { } maker) { json.WriteBoolean("is_buyer_maker", maker); } else { json.WriteNull("is_buyer_maker"); }
            if (trade.Extras.SequenceNumber is { } sequence) { json.WriteNumber("sequence_number", sequence); } else { json.WriteNull("sequence_number"); }
            WriteNullable(json, "order_type", trade.Extras.OrderType);
            if (trade.Extras.EventTimestampUs is { } eventTime) { json.WriteNumber("event_ts_us", eventTime); } else { json.WriteNull("event_ts_us"); }
            json.WriteBoolean("is_snapshot", trade.Extras.IsSnapshot);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The message key: <c>exchange|symbol</c>.</summary>
    public static string Key(NormalizedTrade trade) => $"{trade.Exchange.ToWire()}|{trade.Symbol}";

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) { json.WriteNull(name); } else { json.WriteString(name, value); }
    }
}
