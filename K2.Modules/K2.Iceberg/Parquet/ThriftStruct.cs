namespace K2.Iceberg.Parquet;

/// <summary>Thrift compact-protocol wire types.</summary>
internal enum ThriftType : byte
{
    Stop = 0, True = 1, False = 2, Byte = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7, Binary = 8, List = 9, Set = 10, Map = 11, Struct = 12,
}

/// <summary>A list or set: its element type and values.</summary>
internal sealed record ThriftList(ThriftType ElementType, List<object> Items);

/// <summary>A map: key and value types and the entries in wire order.</summary>
internal sealed record ThriftMap(ThriftType KeyType, ThriftType ValueType, List<(object Key, object Value)> Entries);

/// <summary>
/// A Thrift struct decoded from the compact protocol without a schema: field ids, wire types and values (booleans as
/// bool, integers as long, binaries as byte[], doubles as their 8 raw bytes). Writing it back reproduces every field,
/// known to this code or not, so a Parquet footer written by another engine can be amended without losing anything.
/// </summary>
internal sealed class ThriftStruct
{
    public List<(short Id, ThriftType Type, object Value)> Fields { get; } = [];

    public object? this[short id] => Fields.FirstOrDefault(f => f.Id == id).Value;

    public ThriftStruct? Struct(short id) => this[id] as ThriftStruct;

    public long? Integer(short id) => this[id] is long value ? value : null;

    public byte[]? Binary(short id) => this[id] as byte[];

    public IReadOnlyList<T> List<T>(short id) => this[id] is ThriftList list ? [.. list.Items.Cast<T>()] : [];

    /// <summary>Sets an i32 field, replacing any value it had, keeping fields in id order.</summary>
    public void SetI32(short id, int value)
    {
        Fields.RemoveAll(f => f.Id == id);
        var at = Fields.FindIndex(f => f.Id > id);
        Fields.Insert(at < 0 ? Fields.Count : at, (id, ThriftType.I32, (long)value));
    }

    public static ThriftStruct Read(ReadOnlySpan<byte> bytes)
    {
        var reader = new Reader(bytes);
        return reader.ReadStruct(depth: 0);
    }

    public byte[] ToBytes()
    {
        var writer = new Writer();
        writer.WriteStruct(this);
        return writer.ToArray();
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private const int MaxDepth = 64;
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _position;

        public ThriftStruct ReadStruct(int depth)
        {
            if (depth > MaxDepth) { throw new InvalidDataException("Parquet footer: Thrift structs nested too deeply"); }
            var result = new ThriftStruct();
            short last = 0;
            while (true)
            {
                var header = NextByte();
                var type = (ThriftType)(header & 0x0F);
                if (type == ThriftType.Stop) { return result; }
                var delta = header >> 4;
                var id = delta == 0 ? (short)ZigZag(VarInt()) : (short)(last + delta);
                last = id;
                object value = type switch
                {
                    ThriftType.True => true,
                    ThriftType.False => false,
                    _ => ReadValue(type, depth),
                };
                result.Fields.Add((id, type is ThriftType.True or ThriftType.False ? ThriftType.True : type, value));
            }
        }

        private object ReadValue(ThriftType type, int depth)
        {
            switch (type)
            {
                case ThriftType.True or ThriftType.False: return NextByte() == 1;
                case ThriftType.Byte: return (long)(sbyte)NextByte();
                case ThriftType.I16 or ThriftType.I32 or ThriftType.I64: return ZigZag(VarInt());
                case ThriftType.Double: return Take(8).ToArray();
                case ThriftType.Binary: return Take(checked((int)VarInt())).ToArray();
                case ThriftType.Struct: return ReadStruct(depth + 1);
                case ThriftType.List or ThriftType.Set:
                    var header = NextByte();
                    var size = header >> 4 == 15 ? checked((int)VarInt()) : header >> 4;
                    var elementType = (ThriftType)(header & 0x0F);
                    var items = new List<object>(Math.Min(size, 1 << 16));
                    for (var i = 0; i < size; i++) { items.Add(ReadValue(elementType, depth + 1)); }
                    return new ThriftList(elementType, items);
                case ThriftType.Map:
                    var count = checked((int)VarInt());
                    var types = count == 0 ? (byte)0 : NextByte();
                    var entries = new List<(object, object)>(Math.Min(count, 1 << 16));
                    for (var i = 0; i < count; i++)
                    {
                        entries.Add((ReadValue((ThriftType)(types >> 4), depth + 1), ReadValue((ThriftType)(types & 0x0F), depth + 1)));
                    }

                    return new ThriftMap((ThriftType)(types >> 4), (ThriftType)(types & 0x0F), entries);
                default: throw new InvalidDataException($"Parquet footer: unknown Thrift type {(int)type}");
            }
        }

        private byte NextByte() => _position < _bytes.Length ? _bytes[_position++] : throw new InvalidDataException("Parquet footer: truncated");

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || _position + count > _bytes.Length) { throw new InvalidDataException("Parquet footer: truncated"); }
            var span = _bytes.Slice(_position, count);
            _position += count;
            return span;
        }

        private ulong VarInt()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = NextByte();
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) { return value; }
            }

            throw new InvalidDataException("Parquet footer: malformed varint");
        }

        private static long ZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
    }

    private sealed class Writer
    {
        private readonly MemoryStream _stream = new();

        public byte[] ToArray() => _stream.ToArray();

        public void WriteStruct(ThriftStruct value)
        {
            short last = 0;
            foreach (var (id, type, field) in value.Fields)
            {
                var wireType = type == ThriftType.True ? ((bool)field ? ThriftType.True : ThriftType.False) : type;
                var delta = id - last;
                if (delta is > 0 and <= 15) { _stream.WriteByte((byte)((delta << 4) | (int)wireType)); }
                else
                {
                    _stream.WriteByte((byte)wireType);
                    VarInt(ZigZag(id));
                }

                last = id;
                if (type != ThriftType.True) { WriteValue(type, field); }
            }

            _stream.WriteByte((byte)ThriftType.Stop);
        }

        private void WriteValue(ThriftType type, object value)
        {
            switch (type)
            {
                case ThriftType.True or ThriftType.False: _stream.WriteByte((bool)value ? (byte)1 : (byte)2); break;
                case ThriftType.Byte: _stream.WriteByte((byte)(sbyte)(long)value); break;
                case ThriftType.I16 or ThriftType.I32 or ThriftType.I64: VarInt(ZigZag((long)value)); break;
                case ThriftType.Double: _stream.Write((byte[])value); break;
                case ThriftType.Binary:
                    var bytes = (byte[])value;
                    VarInt((ulong)bytes.Length);
                    _stream.Write(bytes);
                    break;
                case ThriftType.Struct: WriteStruct((ThriftStruct)value); break;
                case ThriftType.List or ThriftType.Set:
                    var list = (ThriftList)value;
                    if (list.Items.Count < 15) { _stream.WriteByte((byte)((list.Items.Count << 4) | (int)list.ElementType)); }
                    else
                    {
                        _stream.WriteByte((byte)(0xF0 | (int)list.ElementType));
                        VarInt((ulong)list.Items.Count);
                    }

                    foreach (var item in list.Items) { WriteValue(list.ElementType, item); }
                    break;
                case ThriftType.Map:
                    var map = (ThriftMap)value;
                    VarInt((ulong)map.Entries.Count);
                    if (map.Entries.Count > 0) { _stream.WriteByte((byte)(((int)map.KeyType << 4) | (int)map.ValueType)); }
                    foreach (var (k, v) in map.Entries)
                    {
                        WriteValue(map.KeyType, k);
                        WriteValue(map.ValueType, v);
                    }

                    break;
                default: throw new InvalidDataException($"Thrift type {(int)type} cannot be written");
            }
        }

        private void VarInt(ulong value)
        {
            Span<byte> buffer = stackalloc byte[10];
            var n = 0;
            while (value >= 0x80)
            {
                buffer[n++] = (byte)(value | 0x80);
                value >>= 7;
            }

            buffer[n++] = (byte)value;
            _stream.Write(buffer[..n]);
        }

        private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));
    }
}
