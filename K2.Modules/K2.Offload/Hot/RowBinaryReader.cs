using System.Buffers.Binary;
using System.Text;
using K2.Iceberg.Spec;
using K2.Offload.Tables;

namespace K2.Offload.Hot;

/// <summary>
/// Decodes ClickHouse RowBinary rows of known column kinds into the values the Parquet writer takes, reading the
/// stream through a fixed buffer: memory does not grow with the result.
/// </summary>
internal sealed class RowBinaryReader(Stream stream, IReadOnlyList<ColdColumn> columns)
{
    private const int BufferSize = 1 << 20;
    private const int ShortString = 24;
    private static readonly long EpochTicks = DateTime.UnixEpoch.Ticks;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly Dictionary<int, string> _shortStrings = [];
    private int _start;
    private int _end;

    /// <summary>The next row, or null at the end of the result.</summary>
    public async ValueTask<object?[]?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!await EnsureAsync(1, cancellationToken).ConfigureAwait(false)) { return null; }
        var row = new object?[columns.Count];
        for (var i = 0; i < row.Length; i++) { row[i] = await ReadValueAsync(columns[i], cancellationToken).ConfigureAwait(false); }
        return row;
    }

    private async ValueTask<object?> ReadValueAsync(ColdColumn column, CancellationToken ct)
    {
        var kind = column.Wire;
        if (kind is WireKind.NullableString or WireKind.NullableInt64 or WireKind.NullableBool or WireKind.NullableMicros
            && await ByteAsync(ct).ConfigureAwait(false) == 1)
        {
            return null;
        }

        switch (kind)
        {
            case WireKind.String or WireKind.NullableString: return await StringAsync(ct).ConfigureAwait(false);
            case WireKind.Int32: await NeedAsync(4, ct).ConfigureAwait(false); return BinaryPrimitives.ReadInt32LittleEndian(Take(4));
            case WireKind.Int64 or WireKind.NullableInt64: await NeedAsync(8, ct).ConfigureAwait(false); return BinaryPrimitives.ReadInt64LittleEndian(Take(8));
            case WireKind.Bool or WireKind.NullableBool: return await ByteAsync(ct).ConfigureAwait(false) != 0;
            case WireKind.Micros or WireKind.NullableMicros:
                await NeedAsync(8, ct).ConfigureAwait(false);
                return new DateTime(EpochTicks + (BinaryPrimitives.ReadInt64LittleEndian(Take(8)) * 10), DateTimeKind.Utc);
            case WireKind.Decimal: await NeedAsync(16, ct).ConfigureAwait(false); return new IcebergDecimal(BinaryPrimitives.ReadInt128LittleEndian(Take(16)), ColdColumn.ColdDecimal.Scale);
            case WireKind.StringList:
                var count = (int)await VarUIntAsync(ct).ConfigureAwait(false);
                var items = new string[count];
                for (var i = 0; i < count; i++) { items[i] = await StringAsync(ct).ConfigureAwait(false); }
                return items;
            default: throw new ArgumentOutOfRangeException(nameof(column), kind, "unknown wire kind");
        }
    }

    private async ValueTask<string> StringAsync(CancellationToken ct)
    {
        var length = (int)await VarUIntAsync(ct).ConfigureAwait(false);
        await NeedAsync(length, ct).ConfigureAwait(false);
        var bytes = Take(length);
        if (length > ShortString) { return Encoding.UTF8.GetString(bytes); }

        // Symbols, sides, exchanges and topics repeat on every row: share one string per distinct short value.
        var hasher = default(HashCode);
        hasher.AddBytes(bytes);
        var hash = hasher.ToHashCode();
        if (_shortStrings.TryGetValue(hash, out var known) && SameBytes(known, bytes)) { return known; }
        var text = Encoding.UTF8.GetString(bytes);
        if (_shortStrings.Count < 4096) { _shortStrings[hash] = text; }
        return text;
    }

    private static bool SameBytes(string text, ReadOnlySpan<byte> bytes)
    {
        Span<byte> encoded = stackalloc byte[ShortString * 3];
        var written = Encoding.UTF8.GetBytes(text, encoded);
        return encoded[..written].SequenceEqual(bytes);
    }

    private async ValueTask<ulong> VarUIntAsync(CancellationToken ct)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = await ByteAsync(ct).ConfigureAwait(false);
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) { return value; }
        }

        throw new InvalidDataException("RowBinary: malformed length");
    }

    private async ValueTask<byte> ByteAsync(CancellationToken ct)
    {
        await NeedAsync(1, ct).ConfigureAwait(false);
        return _buffer[_start++];
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        var span = new ReadOnlySpan<byte>(_buffer, _start, count);
        _start += count;
        return span;
    }

    private async ValueTask NeedAsync(int count, CancellationToken ct)
    {
        if (!await EnsureAsync(count, ct).ConfigureAwait(false)) { throw new InvalidDataException("RowBinary: the result ended inside a row"); }
    }

    private async ValueTask<bool> EnsureAsync(int count, CancellationToken ct)
    {
        if (_end - _start >= count) { return true; }
        if (count > BufferSize) { throw new InvalidDataException($"RowBinary: a value of {count} bytes exceeds the {BufferSize}-byte buffer"); }
        Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
        _end -= _start;
        _start = 0;
        while (_end < count)
        {
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
            if (read == 0) { return false; }
            _end += read;
        }

        return true;
    }
}
