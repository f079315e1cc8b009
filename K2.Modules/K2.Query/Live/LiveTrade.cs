using System.Buffers;
using System.Text.Json;
using K2.Query.Reading;

namespace K2.Query.Live;

/// <summary>One trade of the live stream, from a normalized Kafka message or a replayed row, with its Kafka position.</summary>
internal sealed record LiveTrade(
    string Exchange, string Symbol, string CanonicalSymbol, string TradeId, string Price, string Quantity, string Side,
    long ExchangeTsMicros, long ReceiveTsMicros, string Topic, int Partition, long Offset)
{
    public (string, string, string) Key => (Exchange, Symbol, TradeId);

    /// <summary>The trade as the API writes it everywhere (the row of <c>/v1/trades</c>), with <paramref name="tier"/>.</summary>
    public byte[] ToJson(string tier)
    {
        var buffer = new ArrayBufferWriter<byte>(384);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("exchange"u8, Exchange);
            json.WriteString("symbol"u8, Symbol);
            json.WriteString("canonical_symbol"u8, CanonicalSymbol);
            json.WriteString("trade_id"u8, TradeId);
            json.WriteString("price"u8, Price);
            json.WriteString("quantity"u8, Quantity);
            json.WriteString("side"u8, Side);
            json.WriteString("exchange_ts"u8, TimeParameter.Iso(ExchangeTsMicros));
            json.WriteNumber("exchange_ts_us"u8, ExchangeTsMicros);
            json.WriteString("receive_ts"u8, TimeParameter.Iso(ReceiveTsMicros));
            json.WriteNumber("receive_ts_us"u8, ReceiveTsMicros);
            json.WriteString("tier"u8, tier);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A normalized trade message (docs/normalized-trade-message.md); null when it is not one.</summary>
    public static LiveTrade? FromMessage(ReadOnlySpan<byte> value, string topic, int partition, long offset)
    {
        try
        {
            var reader = new Utf8JsonReader(value);
            string? exchange = null, symbol = null, canonical = null, tradeId = null, price = null, quantity = null, side = null;
            long? exchangeTs = null, receiveTs = null;
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1) { continue; }
                if (reader.ValueTextEquals("exchange"u8)) { reader.Read(); exchange = reader.GetString(); }
                else if (reader.ValueTextEquals("symbol"u8)) { reader.Read(); symbol = reader.GetString(); }
                else if (reader.ValueTextEquals("canonical_symbol"u8)) { reader.Read(); canonical = reader.GetString(); }
                else if (reader.ValueTextEquals("trade_id"u8)) { reader.Read(); tradeId = reader.GetString(); }
                else if (reader.ValueTextEquals("price"u8)) { reader.Read(); price = reader.GetString(); }
                else if (reader.ValueTextEquals("quantity"u8)) { reader.Read(); quantity = reader.GetString(); }
                else if (reader.ValueTextEquals("side"u8)) { reader.Read(); side = reader.GetString(); }
                else if (reader.ValueTextEquals("exchange_ts_us"u8)) { reader.Read(); exchangeTs = reader.GetInt64(); }
                else if (reader.ValueTextEquals("receive_ts_us"u8)) { reader.Read(); receiveTs = reader.GetInt64(); }
                else { reader.Read(); reader.Skip(); }
            }

            return exchange is null || symbol is null || canonical is null || tradeId is null || price is null || quantity is null || side is null || exchangeTs is null || receiveTs is null
                ? null
                : new LiveTrade(exchange, symbol, canonical, tradeId, price, quantity, side, exchangeTs.Value, receiveTs.Value, topic, partition, offset);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>A replayed row (<see cref="TradeSql.ProjectionWithPosition"/> as JSONEachRow) and its tier.</summary>
    public static (LiveTrade Trade, string Tier) FromRow(ReadOnlySpan<byte> row)
    {
        var reader = new Utf8JsonReader(row);
        var text = new Dictionary<string, string>(StringComparer.Ordinal);
        long exchangeTs = 0, receiveTs = 0, partition = 0, offset = 0;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1) { continue; }
            var name = reader.GetString()!;
            reader.Read();
            switch (name)
            {
                case "exchange_ts_us": exchangeTs = reader.GetInt64(); break;
                case "receive_ts_us": receiveTs = reader.GetInt64(); break;
                case "kafka_partition": partition = reader.GetInt64(); break;
                case "kafka_offset": offset = reader.GetInt64(); break;
                default: text[name] = reader.TokenType == JsonTokenType.String ? reader.GetString()! : ""; break;
            }
        }

        return (new LiveTrade(text["exchange"], text["symbol"], text["canonical_symbol"], text["trade_id"], text["price"], text["quantity"], text["side"],
            exchangeTs, receiveTs, text["kafka_topic"], (int)partition, offset), text["tier"]);
    }
}
