using System.Runtime.InteropServices;
using K2.Core.IO;

namespace K2.ClickHouse.Gateway;

/// <summary>
/// A whole-output result (Parquet, ArrowStream, a format with a header or footer) of the embedded engine, read while the
/// engine writes it. chDB's streaming interface writes each block as a whole output of its format, which such formats
/// cannot concatenate, so the engine writes the result with <c>INSERT INTO FUNCTION file()</c> into a named pipe and
/// this stream reads the other end: one output, no temporary file, and memory bounded by the pipe's buffer, since the
/// engine waits while the reader is behind. Disposing it before the end closes the pipe; the statement still runs to its
/// end (measured with chDB 26.7: closing the pipe does not stop it; its <c>max_execution_time</c> bounds it), and the
/// disposal waits for it, so the engine keeps running one statement at a time.
/// </summary>
internal sealed partial class PipedOutput : ReadOnlyStream
{
    // rw------- : only this process reads or writes the pipe.
    private const uint OwnerOnly = 0b110_000_000;

    private readonly FileStream _pipe;
    private readonly Task _statement;
    private int _disposed;

    private PipedOutput(FileStream pipe, Task statement)
    {
        _pipe = pipe;
        _statement = statement;
    }

    /// <summary>
    /// Creates a named pipe in <paramref name="folder"/>, starts <paramref name="writeInto"/> with its path (the statement
    /// writing the output into it) and returns the reading end once the engine opened the pipe. A statement that fails
    /// before opening it throws here; null when it succeeded without opening it (it wrote nothing).
    /// </summary>
    public static async Task<PipedOutput?> StartAsync(string folder, Func<string, Task> writeInto)
    {
        var path = Path.Combine(folder, $"k2-result-{Guid.NewGuid():N}");
        if (MakeFifo(path, OwnerOnly) != 0)
        {
            throw new IOException($"cannot create the pipe {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        try
        {
            // Opening a pipe's reading end waits for a writer, so it runs beside the statement, which opens the other end.
            var reader = Task.Run(() => Open(path, FileAccess.Read));
            var statement = Task.Run(() => writeInto(path));
            if (await Task.WhenAny(reader, statement).ConfigureAwait(false) == statement && !reader.IsCompleted)
            {
                // The statement ended without opening the pipe: open it once to release the waiting reader, then report.
                await using (Open(path, FileAccess.Write)) { }
                await (await reader.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
                await statement.ConfigureAwait(false);
                return null;
            }

            return new PipedOutput(await reader.ConfigureAwait(false), statement);
        }
        finally
        {
            // Both ends are open, or the statement is over: the name is no longer needed.
            File.Delete(path);
        }
    }

    private static FileStream Open(string path, FileAccess access) => new(path, FileMode.Open, access, FileShare.ReadWrite, bufferSize: 0);

    public override int Read(Span<byte> buffer)
    {
        var read = _pipe.Read(buffer);
        if (read == 0 && buffer.Length > 0) { _statement.GetAwaiter().GetResult(); }
        return read;
    }

    /// <summary>What the engine wrote; at the end, the statement's error if it failed (the output is then incomplete).</summary>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _pipe.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read == 0 && buffer.Length > 0) { await _statement.ConfigureAwait(false); }
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) { return; }
        await _pipe.DisposeAsync().ConfigureAwait(false);
        await StatementEndedAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _pipe.Dispose();
            StatementEndedAsync().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    // Waiting for the statement keeps the engine's one-statement-at-a-time order; its error (a broken pipe, or one a read
    // already reported) is of no interest then.
    private async Task StatementEndedAsync()
    {
        try
        {
            await _statement.ConfigureAwait(false);
        }
        catch (ClickHouseGatewayException)
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MakeFifo(string path, uint mode);
}
