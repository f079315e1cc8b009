using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace K2.Kafka.Fallback;

/// <summary>An append-only JSON Lines file; each line is written and flushed to the OS under a lock.</summary>
internal sealed class JsonLinesFile(string path) : IDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private FileStream? _stream;

    public string Path { get; } = path;

    /// <summary>Appends one line whose JSON object <paramref name="write"/> produces.</summary>
    public void Append<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        lock (_gate)
        {
            _line.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(_line, WriterOptions)) { write(writer, state); }
            WriteLine(_line.WrittenSpan);
        }
    }

    /// <summary>Appends bytes that already are one JSON object.</summary>
    public void AppendRaw(ReadOnlySpan<byte> json)
    {
        lock (_gate) { WriteLine(json); }
    }

    private void WriteLine(ReadOnlySpan<byte> json)
    {
        _stream ??= Open();
        _stream.Write(json);
        _stream.Write("\n"u8);
        _stream.Flush();
    }

    private FileStream Open()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        return new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stream?.Dispose();
            _stream = null;
        }
    }
}
