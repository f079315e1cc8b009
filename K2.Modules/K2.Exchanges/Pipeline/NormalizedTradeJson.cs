using System.Text.Json;
using K2.Core.Trades;

namespace K2.Exchanges.Pipeline;

/// <summary>
/// The one-line JSON of <c>k2 normalize</c>. Field order and formats are a contract:
/// <c>{"exchange","symbol","canonical_symbol","trade_id","price","quantity","side","exchange_ts_us"}</c>,
/// decimals as plain strings (<see cref="DecimalText"/>), side = taker side.
/// </summary>
internal static class NormalizedTradeJson
{
    public static void Write(Utf8JsonWriter writer, in NormalizedTrade trade)
    {
        Span<byte> number = stackalloc byte[64];
        writer.WriteStartObject();
        writer.WriteString("exchange"u8, trade.Exchange.ToWire());
        writer.WriteString("symbol"u8, trade.Symbol);
        writer.WriteString("canonical_symbol"u8, trade.CanonicalSymbol);
        writer.WriteString("trade_id"u8, trade.TradeId);
        DecimalText.TryFormat(trade.Price, number, out var written);
        writer.WriteString("price"u8, number[..written]);
        DecimalText.TryFormat(trade.Quantity, number, out written);
        writer.WriteString("quantity"u8, number[..written]);
        writer.WriteString("side"u8, trade.Side.ToWire());
        writer.WriteNumber("exchange_ts_us"u8, trade.ExchangeTimestampUs);
        writer.WriteEndObject();
    }
}
