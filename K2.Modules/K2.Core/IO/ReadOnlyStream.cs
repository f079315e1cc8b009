namespace K2.Core.IO;

/// <summary>
/// A forward-only stream that can only be read: the base of result streams (an engine's chunks, an HTTP response, a
/// pipe). Subclasses give <see cref="Read(Span{byte})"/> and, when they read asynchronously, both <c>ReadAsync</c>
/// overloads (<see cref="Stream"/>'s defaults call each other for arrays); what a read-only, unseekable stream refuses is
/// refused here once.
/// </summary>
public abstract class ReadOnlyStream : Stream
{
    public sealed override bool CanRead => true;

    public sealed override bool CanSeek => false;

    public sealed override bool CanWrite => false;

    public sealed override long Length => throw new NotSupportedException();

    public sealed override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public abstract override int Read(Span<byte> buffer);

    public sealed override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public sealed override void Flush() { }

    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public sealed override void SetLength(long value) => throw new NotSupportedException();

    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public sealed override void Write(ReadOnlySpan<byte> buffer) => throw new NotSupportedException();

    public sealed override void WriteByte(byte value) => throw new NotSupportedException();
}
