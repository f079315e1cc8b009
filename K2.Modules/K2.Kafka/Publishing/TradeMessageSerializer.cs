using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using K2.Core.Trades;

namespace K2.Kafka.Publishing;

/// <summary>
/// The normalized trade message of docs/normalized-trade-message.md: key <c>exchange|symbol</c> and a
/// JSON value with the fields in the documented order. One reusable buffer per thread; the only
/// allocations are the exact-size key and value arrays the producer needs. Public as the message contract's encoder,
/// for the benchmarks' synthetic load of the hot tier.
/// </summary>
public static class TradeMessageSerializer
{
    public const int SchemaVersion = 1;

    public static readonly byte[] SchemaVersionHeader = "1"u8.ToArray();

    [ThreadStatic] private static ArrayBufferWriter<byte>? _buffer;
    [ThreadStatic] private static Utf8JsonWriter? _writer;

    private static readonly JsonEncodedText SchemaVersionName = JsonEncodedText.Encode("schema_version");
    private static readonly JsonEncodedText ExchangeName = JsonEncodedText.Encode("exchange");
    private static readonly JsonEncodedText SymbolName = JsonEncodedText.Encode("symbol");
    private static readonly JsonEncodedText CanonicalSymbolName = JsonEncodedText.Encode("canonical_symbol");
    private static readonly JsonEncodedText TradeIdName = JsonEncodedText.Encode("trade_id");
    private static readonly JsonEncodedText PriceName = JsonEncodedText.Encode("price");
    private static readonly JsonEncodedText QuantityName = JsonEncodedText.Encode("quantity");
    private static readonly JsonEncodedText SideName = JsonEncodedText.Encode("side");
    private static readonly JsonEncodedText ExchangeTimestampName = JsonEncodedText.Encode("exchange_ts_us");
    private static readonly JsonEncodedText ReceiveTimestampName = JsonEncodedText.Encode("receive_ts_us");
    private static readonly JsonEncodedText RawSideName = JsonEncodedText.Encode("raw_side");
    private static readonly JsonEncodedText IsBuyerMakerName = JsonEncodedText.Encode("is_buyer_maker");
    private static readonly JsonEncodedText SequenceNumberName = JsonEncodedText.Encode("sequence_number");
    private static readonly JsonEncodedText OrderTypeName = JsonEncodedText.Encode("order_type");
    private static readonly JsonEncodedText EventTimestampName = JsonEncodedText.Encode("event_ts_us");
    private static readonly JsonEncodedText IsSnapshotName = JsonEncodedText.Encode("is_snapshot");
    private static readonly JsonEncodedText[] ExchangeValues = ExchangeNames.All.OrderBy(e => (int)e).Select(e => JsonEncodedText.Encode(e.ToWire())).ToArray();
    private static readonly byte[][] ExchangeBytes = ExchangeNames.All.OrderBy(e => (int)e).Select(e => Encoding.UTF8.GetBytes(e.ToWire())).ToArray();
    private static readonly JsonEncodedText Buy = JsonEncodedText.Encode("BUY");
    private static readonly JsonEncodedText Sell = JsonEncodedText.Encode("SELL");

    /// <summary>The exchange's name in UTF-8 (the <c>exchange</c> header, the dead letters' key); one array per exchange, never to be changed.</summary>
    public static byte[] ExchangeUtf8(Exchange exchange) => ExchangeBytes[(int)exchange];

    /// <summary><c>exchange|symbol</c> in UTF-8.</summary>
    public static byte[] Key(Exchange exchange, string symbol)
    {
        var name = exchange.ToWire();
        var key = new byte[name.Length + 1 + Encoding.UTF8.GetByteCount(symbol)];
        Encoding.UTF8.GetBytes(name, key);
        key[name.Length] = (byte)'|';
        Encoding.UTF8.GetBytes(symbol, key.AsSpan(name.Length + 1));
        return key;
    }

    public static byte[] Value(in NormalizedTrade trade)
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        var writer = _writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.Reset(buffer);
        Write(writer, trade);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, in NormalizedTrade trade)
    {
        Span<byte> number = stackalloc byte[64];
        writer.WriteStartObject();
        writer.WriteNumber(SchemaVersionName, SchemaVersion);
        writer.WriteString(ExchangeName, ExchangeValues[(int)trade.Exchange]);
        writer.WriteString(SymbolName, trade.Symbol);
        writer.WriteString(CanonicalSymbolName, trade.CanonicalSymbol);
        writer.WriteString(TradeIdName, trade.TradeId);
        WriteDecimal(writer, PriceName, trade.Price, number);
        WriteDecimal(writer, QuantityName, trade.Quantity, number);
        writer.WriteString(SideName, trade.Side == TradeSide.Buy ? Buy : Sell);
        writer.WriteNumber(ExchangeTimestampName, trade.ExchangeTimestampUs);
        writer.WriteNumber(ReceiveTimestampName, trade.ReceiveTimestampUs);
        var extras = trade.Extras;
        if (extras.RawSide is { } rawSide) { writer.WriteString(RawSideName, rawSide); } else { writer.WriteNull(RawSideName); }
        if (extras.IsBuyerMaker is { } buyerMaker) { writer.WriteBoolean(IsBuyerMakerName, buyerMaker); } else { writer.WriteNull(IsBuyerMakerName); }
        if (extras.SequenceNumber is { } sequence) { writer.WriteNumber(SequenceNumberName, sequence); } else { writer.WriteNull(SequenceNumberName); }
        if (extras.OrderType is { } orderType) { writer.WriteString(OrderTypeName, orderType); } else { writer.WriteNull(OrderTypeName); }
        if (extras.EventTimestampUs is { } eventTs) { writer.WriteNumber(EventTimestampName, eventTs); } else { writer.WriteNull(EventTimestampName); }
        writer.WriteBoolean(IsSnapshotName, extras.IsSnapshot);
        writer.WriteEndObject();
    }

    /// <summary>
    /// <see cref="DecimalText"/>'s format, faster: a decimal's default text is always fixed-point with its
    /// scale's trailing zeros, so dropping those zeros (and a bare point) gives the same plain text.
    /// </summary>
    private static void WriteDecimal(Utf8JsonWriter writer, JsonEncodedText name, decimal value, Span<byte> scratch)
    {
        if (!value.TryFormat(scratch, out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"decimal {value} does not fit the format buffer");
        }

        if (scratch[..written].Contains((byte)'.'))
        {
            while (scratch[written - 1] == (byte)'0') { written--; }
            if (scratch[written - 1] == (byte)'.') { written--; }
        }

        writer.WriteString(name, scratch[..written]);
    }
}
