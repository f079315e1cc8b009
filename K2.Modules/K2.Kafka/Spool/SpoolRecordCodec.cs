using System.Buffers.Binary;
using System.Text;
using K2.Core.Trades;
using K2.Kafka.Publishing;

namespace K2.Kafka.Spool;

/// <summary>
/// One spooled record: <c>[int32 length][kind][exchange][int64 receive µs][u16 key length][key]
/// [u16 reason length][reason][value]</c>, little-endian. The length prefix lets a torn tail
/// (a crash mid-write) be detected and cut off.
/// </summary>
internal static class SpoolRecordCodec
{
    public const int LengthPrefix = 4;
    private const int FixedBody = 1 + 1 + 8 + 2 + 2;

    public static int EncodedLength(OutboundRecord record) =>
        LengthPrefix + FixedBody + record.Key.Length + ReasonLength(record) + record.Value.Length;

    public static void Encode(OutboundRecord record, Span<byte> destination)
    {
        var reasonLength = ReasonLength(record);
        BinaryPrimitives.WriteInt32LittleEndian(destination, destination.Length - LengthPrefix);
        var body = destination[LengthPrefix..];
        body[0] = (byte)record.Kind;
        body[1] = (byte)record.Exchange;
        BinaryPrimitives.WriteInt64LittleEndian(body[2..], record.ReceiveTimestampUs);
        BinaryPrimitives.WriteUInt16LittleEndian(body[10..], (ushort)record.Key.Length);
        record.Key.CopyTo(body[12..]);
        var at = 12 + record.Key.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(body[at..], (ushort)reasonLength);
        at += 2;
        if (record.Reason is not null) { Encoding.UTF8.GetBytes(record.Reason, body[at..]); }
        at += reasonLength;
        record.Value.CopyTo(body[at..]);
    }

    /// <summary>Decodes a body (the bytes after the length prefix).</summary>
    public static OutboundRecord Decode(ReadOnlySpan<byte> body)
    {
        if (body.Length < FixedBody) { throw new InvalidDataException($"spool record of {body.Length} bytes is shorter than its header"); }
        var kind = (RecordKind)body[0];
        var exchange = (Exchange)body[1];
        if (!Enum.IsDefined(kind) || !Enum.IsDefined(exchange)) { throw new InvalidDataException("spool record has an unknown kind or exchange"); }
        var receive = BinaryPrimitives.ReadInt64LittleEndian(body[2..]);
        var keyLength = BinaryPrimitives.ReadUInt16LittleEndian(body[10..]);
        var key = body.Slice(12, keyLength).ToArray();
        var at = 12 + keyLength;
        var reasonLength = BinaryPrimitives.ReadUInt16LittleEndian(body[at..]);
        at += 2;
        var reason = reasonLength > 0 ? Encoding.UTF8.GetString(body.Slice(at, reasonLength)) : null;
        at += reasonLength;
        return new OutboundRecord(kind, exchange, key, body[at..].ToArray(), receive, reason);
    }

    private static int ReasonLength(OutboundRecord record) => record.Reason is null ? 0 : Encoding.UTF8.GetByteCount(record.Reason);
}
