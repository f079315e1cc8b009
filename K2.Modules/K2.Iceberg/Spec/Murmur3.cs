namespace K2.Iceberg.Spec;

/// <summary>murmur3_x86_32 with seed 0, the hash of Iceberg's bucket transform.</summary>
internal static class Murmur3
{
    public static int Hash32(ReadOnlySpan<byte> data)
    {
        const uint c1 = 0xcc9e2d51, c2 = 0x1b873593;
        uint h = 0;
        var blocks = data.Length / 4;
        for (var i = 0; i < blocks; i++)
        {
            var k = BitConverter.ToUInt32(data.Slice(i * 4, 4));
            k *= c1; k = uint.RotateLeft(k, 15); k *= c2;
            h ^= k; h = uint.RotateLeft(h, 13); h = (h * 5) + 0xe6546b64;
        }

        uint tail = 0;
        var rest = data[(blocks * 4)..];
        if (rest.Length >= 3) { tail ^= (uint)rest[2] << 16; }
        if (rest.Length >= 2) { tail ^= (uint)rest[1] << 8; }
        if (rest.Length >= 1)
        {
            tail ^= rest[0];
            tail *= c1; tail = uint.RotateLeft(tail, 15); tail *= c2; h ^= tail;
        }

        h ^= (uint)data.Length;
        h ^= h >> 16; h *= 0x85ebca6b; h ^= h >> 13; h *= 0xc2b2ae35; h ^= h >> 16;
        return (int)h;
    }
}
