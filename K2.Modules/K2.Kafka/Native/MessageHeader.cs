using System.Runtime.InteropServices;

namespace K2.Kafka.Native;

/// <summary>A header name as the NUL-terminated UTF-8 string librdkafka takes; created once, kept for the process.</summary>
internal sealed class HeaderName(string name)
{
    public IntPtr Utf8 { get; } = Marshal.StringToCoTaskMemUTF8(name);

    public string Name { get; } = name;
}

/// <summary>One header of a message being produced; <c>default</c> is no header.</summary>
internal readonly ref struct MessageHeader(HeaderName name, ReadOnlySpan<byte> value)
{
    public HeaderName? Name { get; } = name;

    public ReadOnlySpan<byte> Value { get; } = value;
}
