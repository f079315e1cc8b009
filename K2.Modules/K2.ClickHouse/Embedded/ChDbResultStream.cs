using K2.Core.IO;

namespace K2.ClickHouse.Embedded;

/// <summary>A streaming chDB result read as a <see cref="System.IO.Stream"/>, one engine chunk at a time.</summary>
public sealed class ChDbResultStream : ReadOnlyStream
{
    private readonly IntPtr _connection;
    private readonly Action _release;
    private IntPtr _handle;
    private IntPtr _chunk;
    private IntPtr _chunkBuffer;
    private long _chunkLength;
    private long _chunkOffset;
    private bool _finished;

    internal ChDbResultStream(IntPtr connection, IntPtr handle, Action release)
    {
        _connection = connection;
        _handle = handle;
        _release = release;
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
        while (_chunkOffset >= _chunkLength)
        {
            if (_finished || !FetchNextChunk()) { return 0; }
        }

        var available = (int)Math.Min(buffer.Length, _chunkLength - _chunkOffset);
        unsafe
        {
            new ReadOnlySpan<byte>((byte*)_chunkBuffer + _chunkOffset, available).CopyTo(buffer);
        }

        _chunkOffset += available;
        return available;
    }

    private bool FetchNextChunk()
    {
        FreeChunk();
        var chunk = ChDbNative.StreamFetchResult(_connection, _handle);
        ChDbEngine.ThrowIfError(chunk, destroy: true);
        var length = (long)ChDbNative.ResultLength(chunk);
        var buffer = ChDbNative.ResultBuffer(chunk);
        if (length == 0 || buffer == IntPtr.Zero)
        {
            ChDbNative.DestroyQueryResult(chunk);
            _finished = true;
            return false;
        }

        _chunk = chunk;
        _chunkBuffer = buffer;
        _chunkLength = length;
        _chunkOffset = 0;
        return true;
    }

    private void FreeChunk()
    {
        if (_chunk == IntPtr.Zero) { return; }
        ChDbNative.DestroyQueryResult(_chunk);
        _chunk = IntPtr.Zero;
        _chunkBuffer = IntPtr.Zero;
        _chunkLength = _chunkOffset = 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (_handle != IntPtr.Zero)
        {
            FreeChunk();
            if (!_finished) { ChDbNative.StreamCancelQuery(_connection, _handle); }
            ChDbNative.DestroyQueryResult(_handle);
            _handle = IntPtr.Zero;
            _release();
        }

        base.Dispose(disposing);
    }
}
